// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * TCP sockets with known state, and that state as the kernel reports it
 * outside bpfdump, for tests/integration/snapshot_sockets.sh:
 *
 *   tcp_repair DIR SEED
 *
 * A listener (backlog 8) with one connection not accepted; a connected pair
 * (client, accepted side) on loopback. The accepted side sends the client
 * three segments of random bytes (from SEED) that the client never reads
 * (DIR/rx.bin: those bytes); the client writes 20480 bytes to the accepted
 * side, which never reads them. Then, per socket, DIR/truth gets
 * "FD KEY VALUE" lines: TCP_INFO, TCP_WINDOW_CLAMP, the SIOCINQ, SIOCOUTQ and
 * SIOCOUTQNSD counts, and in repair mode (TCP_REPAIR, TCP_REPAIR_QUEUE,
 * TCP_QUEUE_SEQ, TCP_REPAIR_WINDOW), as CRIU reads them, the send and receive
 * queues' sequence numbers and the windows. The connected sockets stay in
 * repair mode (nothing is sent any more). It writes DIR/ready and waits.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "tcp_repair: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void geti(int fd, int opt, void *v, socklen_t len, const char *what)
{
	if (getsockopt(fd, IPPROTO_TCP, opt, v, &len))
		die(what);
}

static void seti(int fd, int opt, int v, const char *what)
{
	if (setsockopt(fd, IPPROTO_TCP, opt, &v, sizeof(v)))
		die(what);
}

static unsigned int ioc(int fd, unsigned long req, const char *what)
{
	int v = 0;

	if (ioctl(fd, req, &v))
		die(what);
	return v;
}

/* Everything the test compares for one connected socket, then repair mode. */
static void truth(FILE *out, int fd)
{
	struct tcp_info ti = {};
	struct tcp_repair_window rw = {};
	unsigned int sndq_seq = 0, rcvq_seq = 0, inq, outq, nsd;
	int clamp = 0;

	geti(fd, TCP_INFO, &ti, sizeof(ti), "TCP_INFO");
	geti(fd, TCP_WINDOW_CLAMP, &clamp, sizeof(clamp), "TCP_WINDOW_CLAMP");
	inq = ioc(fd, SIOCINQ, "SIOCINQ");
	outq = ioc(fd, SIOCOUTQ, "SIOCOUTQ");
	nsd = ioc(fd, SIOCOUTQNSD, "SIOCOUTQNSD");
	seti(fd, TCP_REPAIR, 1, "TCP_REPAIR");
	seti(fd, TCP_REPAIR_QUEUE, TCP_SEND_QUEUE, "TCP_REPAIR_QUEUE send");
	geti(fd, TCP_QUEUE_SEQ, &sndq_seq, sizeof(sndq_seq), "TCP_QUEUE_SEQ send");
	seti(fd, TCP_REPAIR_QUEUE, TCP_RECV_QUEUE, "TCP_REPAIR_QUEUE recv");
	geti(fd, TCP_QUEUE_SEQ, &rcvq_seq, sizeof(rcvq_seq), "TCP_QUEUE_SEQ recv");
	geti(fd, TCP_REPAIR_WINDOW, &rw, sizeof(rw), "TCP_REPAIR_WINDOW");
	fprintf(out, "%d write_seq %u\n", fd, sndq_seq);
	fprintf(out, "%d rcv_nxt %u\n", fd, rcvq_seq);
	fprintf(out, "%d snd_una %u\n", fd, sndq_seq - outq);
	fprintf(out, "%d snd_nxt %u\n", fd, sndq_seq - nsd);
	fprintf(out, "%d copied_seq %u\n", fd, rcvq_seq - inq);
	fprintf(out, "%d snd_wnd %u\n", fd, rw.snd_wnd);
	fprintf(out, "%d rcv_wnd %u\n", fd, rw.rcv_wnd);
	fprintf(out, "%d tcpi_snd_wnd %u\n", fd, ti.tcpi_snd_wnd);
	fprintf(out, "%d window_clamp %d\n", fd, clamp);
	fprintf(out, "%d mss %u\n", fd, ti.tcpi_snd_mss);
	fprintf(out, "%d snd_wscale %u\n", fd, ti.tcpi_snd_wscale);
	fprintf(out, "%d rcv_wscale %u\n", fd, ti.tcpi_rcv_wscale);
	fprintf(out, "%d timestamps %s\n", fd, ti.tcpi_options & TCPI_OPT_TIMESTAMPS ? "true" : "false");
	fprintf(out, "%d sack %s\n", fd, ti.tcpi_options & TCPI_OPT_SACK ? "true" : "false");
	fprintf(out, "%d retransmits %u\n", fd, ti.tcpi_retransmits);
	fprintf(out, "%d total_retrans %u\n", fd, ti.tcpi_total_retrans);
	fprintf(out, "%d ca_state %u\n", fd, ti.tcpi_ca_state);
	fprintf(out, "%d inq %u\n", fd, inq);
	fprintf(out, "%d outq %u\n", fd, outq);
}

int main(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sin);
	char path[512], seg[3][3000], junk[4096];
	int l, c, a, p, i, j, one = 1, rcvbuf = 65536, same = 0;
	unsigned int seed, prev[2] = { ~0u, ~0u }, now[2];
	FILE *f;

	if (argc != 3)
		return 2;
	seed = strtoul(argv[2], NULL, 10);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* fixed buffers (no autotuning): once the accepted side's window is
	 * closed, nothing moves any more */
	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || setsockopt(l, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) ||
	    bind(l, (void *)&sin, sizeof(sin)) || listen(l, 8) ||
	    getsockname(l, (void *)&sin, &sl))
		die("listener");
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (c < 0 || setsockopt(c, SOL_SOCKET, SO_SNDBUF, &rcvbuf, sizeof(rcvbuf)) ||
	    connect(c, (void *)&sin, sizeof(sin)))
		die("connect");
	a = accept(l, NULL, NULL);
	if (a < 0)
		die("accept");
	/* a connection left in the accept queue */
	p = socket(AF_INET, SOCK_STREAM, 0);
	if (p < 0 || connect(p, (void *)&sin, sizeof(sin)))
		die("connect pending");
	/* three segments the client never reads */
	setsockopt(a, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	snprintf(path, sizeof(path), "%s/rx.bin", argv[1]);
	f = fopen(path, "w");
	if (!f)
		die(path);
	for (i = 0; i < 3; i++) {
		for (j = 0; j < (int)sizeof(seg[i]); j++)
			seg[i][j] = rand_r(&seed);
		if (write(a, seg[i], sizeof(seg[i])) != sizeof(seg[i]))
			die("write segment");
		fwrite(seg[i], 1, sizeof(seg[i]), f);
		usleep(10000);
	}
	fclose(f);
	/* 5 x 4096 bytes the accepted side never reads (within its window: a
	 * window that closes would leave the persist timer moving the state) */
	memset(junk, 'x', sizeof(junk));
	for (i = 0; i < 5; i++)
		if (write(c, junk, sizeof(junk)) != sizeof(junk))
			die("write client");
	/* settled: the queues read the same three times in a row */
	for (i = 0; i < 200 && same < 3; i++) {
		usleep(50000);
		now[0] = ioc(a, SIOCINQ, "SIOCINQ");
		now[1] = ioc(c, SIOCOUTQ, "SIOCOUTQ");
		same = now[0] == prev[0] && now[1] == prev[1] &&
		       ioc(c, SIOCINQ, "SIOCINQ") == sizeof(seg) ? same + 1 : 0;
		prev[0] = now[0];
		prev[1] = now[1];
	}
	snprintf(path, sizeof(path), "%s/truth", argv[1]);
	f = fopen(path, "w");
	if (!f)
		die(path);
	fprintf(f, "%d port %u\n", l, ntohs(sin.sin_port));
	fprintf(f, "%d backlog 1\n", l);
	fprintf(f, "%d max_backlog 8\n", l);
	fprintf(f, "client %d\naccepted %d\npending %d\n", c, a, p);
	truth(f, c);
	truth(f, a);
	fclose(f);
	snprintf(path, sizeof(path), "%s/ready", argv[1]);
	f = fopen(path, "w");
	if (!f)
		die(path);
	fclose(f);
	for (;;)
		pause();
}
