// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The CRIU way of reading a process's TCP sockets, for the bench: what
 * `bpfdump snapshot --data` reads in one BPF pass, read here one socket at a
 * time with TCP repair mode (CAP_NET_ADMIN).
 *
 *   repair_reader [-q] [-v] PID
 *
 * CRIU's parasite runs inside the dumped process and uses its fds directly;
 * this reader runs outside and takes each socket fd with pidfd_getfd(2) (it
 * needs ptrace access to PID: root). Per TCP socket, as CRIU's dump_tcp_conn_state
 * and dump_tcp_queues do: TCP_INFO (state; only ESTABLISHED sockets are
 * repaired), TCP_REPAIR=1; TCP_REPAIR_QUEUE=TCP_RECV_QUEUE, TCP_QUEUE_SEQ,
 * SIOCINQ, recv(MSG_PEEK) of the whole queue; the same for TCP_SEND_QUEUE
 * (SIOCOUTQ); TCP_MAXSEG, TCP_REPAIR_WINDOW; TCP_REPAIR=0.
 *
 * stdout: the queues' bytes, raw, one after another (what CRIU writes to its
 * image), unless -q. stderr: one line with the socket count and the bytes of
 * each queue kind; -v also one line per socket with its sequence numbers.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/sockios.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

struct totals {
	long socks, skipped;
	long long recv, send;	/* bytes peeked */
	long long inq, outq;	/* bytes the ioctls said were there */
};

static int quiet, verbose;
static unsigned char *buf;
static size_t buf_len;

static int grow(size_t need)
{
	unsigned char *p;

	if (need <= buf_len)
		return 0;
	p = realloc(buf, need);
	if (!p)
		return -ENOMEM;
	buf = p;
	buf_len = need;
	return 0;
}

/* One queue: select it, read its sequence number and peek all its bytes. */
static int read_queue(int fd, int q, unsigned int *seq, long long *got, long long *want)
{
	socklen_t sl = sizeof(*seq);
	int n = 0;
	ssize_t r;

	if (setsockopt(fd, IPPROTO_TCP, TCP_REPAIR_QUEUE, &q, sizeof(q)) ||
	    getsockopt(fd, IPPROTO_TCP, TCP_QUEUE_SEQ, seq, &sl) ||
	    ioctl(fd, q == TCP_RECV_QUEUE ? SIOCINQ : SIOCOUTQ, &n))
		return -errno;
	*want += n;
	if (!n)
		return 0;
	if (grow(n + 1))
		return -ENOMEM;
	r = recv(fd, buf, n + 1, MSG_PEEK | MSG_DONTWAIT);
	if (r < 0)
		return -errno;
	*got += r;
	if (!quiet && fwrite(buf, 1, r, stdout) != (size_t)r)
		return -EIO;
	return 0;
}

static int dump_socket(int fd, int nr, struct totals *t)
{
	struct tcp_repair_window win;
	unsigned int rseq = 0, sseq = 0;
	struct tcp_info ti;
	int on = 1, off = 0, err, mss;
	socklen_t sl = sizeof(ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &sl))
		return -errno;
	if (ti.tcpi_state != 1 /* TCP_ESTABLISHED */) {
		t->skipped++;
		return 0;
	}
	if (setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &on, sizeof(on)))
		return -errno;
	err = read_queue(fd, TCP_RECV_QUEUE, &rseq, &t->recv, &t->inq);
	if (!err)
		err = read_queue(fd, TCP_SEND_QUEUE, &sseq, &t->send, &t->outq);
	sl = sizeof(mss);
	if (!err && getsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &mss, &sl))
		err = -errno;
	sl = sizeof(win);
	if (!err && getsockopt(fd, IPPROTO_TCP, TCP_REPAIR_WINDOW, &win, &sl))
		err = -errno;
	/* out of repair mode whatever happened: the process goes on using it */
	if (setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &off, sizeof(off)) && !err)
		err = -errno;
	if (err)
		return err;
	t->socks++;
	if (verbose)
		fprintf(stderr, "fd %d rcv_nxt %u write_seq %u snd_wnd %u rcv_wnd %u mss %d\n",
			nr, rseq, sseq, win.snd_wnd, win.rcv_wnd, mss);
	return 0;
}

int main(int argc, char **argv)
{
	struct totals t = { 0 };
	char path[64], link[64];
	struct dirent *de;
	int pidfd, c, err = 0;
	long pid;
	DIR *d;

	while ((c = getopt(argc, argv, "qv")) != -1) {
		if (c == 'q')
			quiet = 1;
		else if (c == 'v')
			verbose = 1;
		else
			return 2;
	}
	if (optind != argc - 1 || (pid = strtol(argv[optind], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: repair_reader [-q] [-v] PID\n");
		return 2;
	}
	static char obuf[1 << 20];
	setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	pidfd = syscall(SYS_pidfd_open, (int)pid, 0);
	if (pidfd < 0) {
		fprintf(stderr, "repair_reader: pidfd_open %ld: %s\n", pid, strerror(errno));
		return 1;
	}
	snprintf(path, sizeof(path), "/proc/%ld/fd", pid);
	d = opendir(path);
	if (!d) {
		fprintf(stderr, "repair_reader: %s: %s\n", path, strerror(errno));
		return 1;
	}
	while ((de = readdir(d))) {
		int nr, fd, proto, type;
		socklen_t sl = sizeof(int);
		ssize_t n;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		nr = atoi(de->d_name);
		n = readlinkat(dirfd(d), de->d_name, link, sizeof(link) - 1);
		if (n < 8 || memcmp(link, "socket:[", 8))
			continue;
		fd = syscall(SYS_pidfd_getfd, pidfd, nr, 0);
		if (fd < 0)
			continue;	/* closed meanwhile */
		sl = sizeof(int);
		if (!getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &sl) && proto == IPPROTO_TCP &&
		    !getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &sl) && type == SOCK_STREAM) {
			err = dump_socket(fd, nr, &t);
			if (err)
				fprintf(stderr, "repair_reader: fd %d: %s\n", nr, strerror(-err));
		}
		close(fd);
		if (err)
			break;
	}
	closedir(d);
	close(pidfd);
	if (fflush(stdout)) {
		fprintf(stderr, "repair_reader: write: %s\n", strerror(errno));
		return 1;
	}
	fprintf(stderr, "repair_reader: pid %ld: %ld TCP sockets repaired (%ld not established), "
		"receive queues %lld bytes (SIOCINQ %lld), write queues %lld bytes (SIOCOUTQ %lld)\n",
		pid, t.socks, t.skipped, t.recv, t.inq, t.send, t.outq);
	free(buf);
	return err ? 1 : 0;
}
