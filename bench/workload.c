// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Benchmark workloads: objects for the iterators to list, held until a signal.
 *
 *   workload fds N M DIR    N children, each holding exactly M open fds
 *                           (files DIR/f0..f15, opened round-robin)
 *   workload procs N DIR    N children holding no fds
 *   workload tcp L E DIR    L listening and E established (E/2 connections,
 *                           both ends) TCP sockets on 127.0.0.1; the client
 *                           ends are held by a child (RLIMIT_NOFILE)
 *   workload tcpq N B DIR   N established TCP sockets on 127.0.0.1 held by the
 *                           workload, each with B bytes in its receive queue
 *                           (its peer, in a child, wrote them and the workload
 *                           does not read) and up to B bytes in its write queue
 *                           (it wrote B bytes; the peer's receive buffer is
 *                           small and the peer does not read); DIR/queues says
 *                           how many bytes each queue kind holds in all
 *
 * The workload writes DIR/pids (its own pid, then one child pid per line) and
 * DIR/ready once everything exists, then waits. SIGTERM, SIGINT or SIGHUP: it
 * kills and reaps its children and closes its sockets (with SO_LINGER 0, so no
 * TIME-WAIT is left behind). Children die with it anyway (PR_SET_PDEATHSIG), and
 * it gets SIGTERM when its own parent (bench/run.sh) dies.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/sockios.h>

#define NFILES 16

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void die(const char *what)
{
	fprintf(stderr, "workload: %s: %s\n", what, strerror(errno));
	exit(1);
}

static long parse_count(const char *s, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || !*s || *end || v < 0 || v > max) {
		fprintf(stderr, "workload: '%s' is not a count in 0..%ld\n", s, max);
		exit(2);
	}
	return v;
}

static void raise_nofile(long need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		die("getrlimit");
	if ((long)rl.rlim_cur >= need)
		return;
	if ((long)rl.rlim_max < need)
		rl.rlim_max = need;
	rl.rlim_cur = need;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		die("setrlimit RLIMIT_NOFILE (raise fs.nr_open?)");
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	f = fopen(tmp, "w");
	if (!f || fputs(text, f) == EOF || fclose(f))
		die(tmp);
	if (rename(tmp, path))
		die(path);
}

static void wait_for_signal(void)
{
	sigset_t none;

	sigemptyset(&none);
	while (!stop)
		sigsuspend(&none);
}

static void setup_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* signals arrive only inside sigsuspend: no lost wake-up */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, NULL);
}

/* A child: nothing open but its M files, until its parent goes. */
static void child(pid_t parent, int ready_fd, long m, const char *dir)
{
	char path[PATH_MAX];
	int hi;
	long k;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(0);
	prctl(PR_SET_NAME, m ? "bench-fds" : "bench-proc");
	/* the pipe goes above the workload's numbers; everything else is closed,
	 * so the child's fds are exactly 0..M-1 */
	hi = fcntl(ready_fd, F_DUPFD, (int)(m + 1));
	if (hi < 0)
		_exit(3);
	if (close_range(0, hi - 1, 0) || close_range(hi + 1, ~0U, 0))
		_exit(3);
	for (k = 0; k < m; k++) {
		snprintf(path, sizeof(path), "%s/files/f%ld", dir, k % NFILES);
		if (open(path, O_RDONLY) != k)
			_exit(4);
	}
	if (write(hi, "r", 1) != 1)
		_exit(5);
	close(hi);
	for (;;)
		pause();
}

/* A forked child dies of the signals its parent catches, and blocks none of them. */
static void child_signals_default(void)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t none;

	sigaction(SIGTERM, &dfl, NULL);
	sigaction(SIGINT, &dfl, NULL);
	sigaction(SIGHUP, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static int run_children(long n, long m, const char *dir)
{
	pid_t self = getpid(), *pids;
	int pfd[2], i;
	long got = 0;
	size_t cap = 32 + (size_t)n * 12, len;
	char *list, path[PATH_MAX], buf[4096];

	pids = calloc(n ? n : 1, sizeof(*pids));
	list = malloc(cap);
	if (!pids || !list)
		die("malloc");
	snprintf(path, sizeof(path), "%s/files", dir);
	if (m && mkdir(path, 0755) && errno != EEXIST)
		die(path);
	for (i = 0; i < NFILES && m; i++) {
		int fd;

		snprintf(path, sizeof(path), "%s/files/f%d", dir, i);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			die(path);
		close(fd);
	}
	raise_nofile(m + NFILES + 64);
	if (pipe(pfd))
		die("pipe");
	for (i = 0; i < n; i++) {
		pid_t p = fork();

		if (p < 0) {
			fprintf(stderr, "workload: fork %d of %ld: %s\n", i, n, strerror(errno));
			n = i;
			stop = 1;
			break;
		}
		if (!p) {
			child_signals_default();
			close(pfd[0]);
			child(self, pfd[1], m, dir);
		}
		pids[i] = p;
	}
	close(pfd[1]);
	while (!stop && got < n) {
		ssize_t r = read(pfd[0], buf, sizeof(buf));

		if (r <= 0) {
			fprintf(stderr, "workload: %ld of %ld children ready, then %s\n", got, n,
				r ? strerror(errno) : "EOF (a child failed)");
			stop = 1;
			break;
		}
		got += r;
	}
	close(pfd[0]);
	if (!stop) {
		len = snprintf(list, cap, "%d\n", (int)self);
		for (i = 0; i < n; i++)
			len += snprintf(list + len, cap - len, "%d\n", (int)pids[i]);
		write_file(dir, "pids", list);
		write_file(dir, "ready", "ready\n");
		wait_for_signal();
	}
	for (i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
	for (i = 0; i < n; i++)
		while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
			;
	free(pids);
	free(list);
	return got == n ? 0 : 1;
}

/* The client ends live in a child: one process may not hold all of them
 * (the hard RLIMIT_NOFILE cannot be raised without CAP_SYS_RESOURCE). */
static void tcp_clients(pid_t parent, int ready_fd, const __u16 *ports, long l, long conns)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int hi, one = 1;
	long i;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(0);
	prctl(PR_SET_NAME, "bench-tcpcli");
	hi = fcntl(ready_fd, F_DUPFD, 3);
	if (hi < 0 || close_range(3, hi - 1, 0) || close_range(hi + 1, ~0U, 0))
		_exit(3);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < conns; i++) {
		int c = socket(AF_INET, SOCK_STREAM, 0);

		if (c < 0)
			_exit(4);
		setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		setsockopt(c, IPPROTO_TCP, 1 /* TCP_NODELAY */, &one, sizeof(one));
		sa.sin_port = ports[i % l];
		if (connect(c, (struct sockaddr *)&sa, sizeof(sa)))
			_exit(5);
	}
	if (write(hi, "r", 1) != 1)
		_exit(6);
	close(hi);
	for (;;)
		pause();
}

static int run_tcp(long l, long e, const char *dir)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	long conns = l ? e / 2 : 0, i, nfd = 0;
	pid_t self = getpid(), cli = -1;
	int *fds, pfd[2], ret = 1;
	__u16 *ports;
	char line[64], c;

	raise_nofile(l + conns + 64);
	fds = calloc(l + conns + 1, sizeof(*fds));
	ports = calloc(l + 1, sizeof(*ports));
	if (!fds || !ports)
		die("calloc");
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < l && !stop; i++) {
		socklen_t sl = sizeof(sa);
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0)
			die("socket");
		fds[nfd++] = fd;
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		sa.sin_port = 0;
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 128))
			die("bind/listen on 127.0.0.1");
		if (getsockname(fd, (struct sockaddr *)&sa, &sl))
			die("getsockname");
		ports[i] = sa.sin_port;
	}
	if (pipe(pfd))
		die("pipe");
	if (conns && !stop) {
		cli = fork();
		if (cli < 0)
			die("fork");
		if (!cli) {
			child_signals_default();
			close(pfd[0]);
			tcp_clients(self, pfd[1], ports, l, conns);
		}
	}
	close(pfd[1]);
	/* accept in the order the child connects: listener i % l */
	for (i = 0; i < conns && !stop; i++) {
		int a = accept4(fds[i % l], NULL, NULL, SOCK_CLOEXEC);

		if (a < 0)
			die("accept");
		fds[nfd++] = a;
		setsockopt(a, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	if (conns && !stop && read(pfd[0], &c, 1) != 1) {
		fprintf(stderr, "workload: the client process failed\n");
		stop = 1;
	}
	close(pfd[0]);
	if (!stop) {
		snprintf(line, sizeof(line), "%d\n%d\n", (int)self, (int)cli);
		write_file(dir, "pids", line);
		write_file(dir, "ready", "ready\n");
		wait_for_signal();
		ret = 0;
	}
	/* linger 0: reset, no TIME-WAIT left for the next benchmark */
	if (cli > 0) {
		kill(cli, SIGKILL);
		while (waitpid(cli, NULL, 0) < 0 && errno == EINTR)
			;
	}
	for (i = nfd; i-- > 0;)
		close(fds[i]);
	free(fds);
	free(ports);
	return ret;
}

/* The byte at offset I of what side S (0: peer, 1: workload) writes on
 * connection C: a readable pattern, different per connection and side. */
static unsigned char qbyte(long c, int s, long i)
{
	return (unsigned char)('a' + (c * 7 + s * 13 + i) % 26);
}

static void fill(unsigned char *buf, long c, int s, long b)
{
	long i;

	for (i = 0; i < b; i++)
		buf[i] = qbyte(c, s, i);
}

/* The peers: connect N times with a small receive buffer, write B bytes on
 * each (the workload's large receive buffer takes them all), never read. */
static void tcpq_peers(pid_t parent, int ready_fd, __u16 port, long n, long b)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	struct timeval tv = { .tv_sec = 30 };
	int hi, small = 4096, big = 4 << 20;
	unsigned char *buf = malloc(b ? b : 1);
	long i;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent || !buf)
		_exit(2);
	prctl(PR_SET_NAME, "bench-tcpqpeer");
	hi = fcntl(ready_fd, F_DUPFD, 3);
	if (hi < 0 || close_range(3, hi - 1, 0) || close_range(hi + 1, ~0U, 0))
		_exit(3);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = port;
	for (i = 0; i < n; i++) {
		int c = socket(AF_INET, SOCK_STREAM, 0);
		long off = 0;

		if (c < 0)
			_exit(4);
		setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		/* before connect: the window it offers stays small */
		setsockopt(c, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
		setsockopt(c, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
		setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (connect(c, (struct sockaddr *)&sa, sizeof(sa)))
			_exit(5);
		fill(buf, i, 0, b);
		while (off < b) {
			ssize_t w = write(c, buf + off, b - off);

			if (w <= 0)
				_exit(6);
			off += w;
		}
	}
	if (write(hi, "r", 1) != 1)
		_exit(7);
	close(hi);
	for (;;)
		pause();
}

static int run_tcpq(long n, long b, const char *dir)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int lfd, *fds, pfd[2], ret = 1, big = 4 << 20;
	long i, nfd = 0, inq = 0, outq = 0, tries;
	pid_t self = getpid(), peer;
	unsigned char *buf = malloc(b ? b : 1);
	socklen_t sl = sizeof(sa);
	char line[256], c;

	raise_nofile(n + 64);
	fds = calloc(n + 1, sizeof(*fds));
	if (!fds || !buf)
		die("calloc");
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		die("socket");
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* inherited by the accepted sockets: room for B bytes and their overhead */
	setsockopt(lfd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 4096) ||
	    getsockname(lfd, (struct sockaddr *)&sa, &sl))
		die("bind/listen on 127.0.0.1");
	if (pipe(pfd))
		die("pipe");
	peer = fork();
	if (peer < 0)
		die("fork");
	if (!peer) {
		child_signals_default();
		close(pfd[0]);
		tcpq_peers(self, pfd[1], sa.sin_port, n, b);
	}
	close(pfd[1]);
	for (i = 0; i < n && !stop; i++) {
		int a = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		long off = 0;

		if (a < 0)
			die("accept");
		fds[nfd++] = a;
		setsockopt(a, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		setsockopt(a, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
		fill(buf, i, 1, b);
		while (off < b) {
			ssize_t w = write(a, buf + off, b - off);

			if (w <= 0)
				die("write (the send buffer should hold it)");
			off += w;
		}
	}
	close(lfd);
	if (!stop && read(pfd[0], &c, 1) != 1) {
		fprintf(stderr, "workload: the peer process failed\n");
		stop = 1;
	}
	close(pfd[0]);
	/* every peer byte in the receive queues: loopback delivers them soon */
	for (tries = 0; tries < 300 && !stop; tries++) {
		int v;

		inq = outq = 0;
		for (i = 0; i < nfd; i++) {
			if (!ioctl(fds[i], SIOCINQ, &v))
				inq += v;
			if (!ioctl(fds[i], SIOCOUTQ, &v))
				outq += v;
		}
		if (inq == n * b)
			break;
		usleep(100000);
	}
	if (!stop) {
		snprintf(line, sizeof(line), "sockets %ld recvq %ld sendq %ld\n", nfd, inq, outq);
		write_file(dir, "queues", line);
		snprintf(line, sizeof(line), "%d\n%d\n", (int)self, (int)peer);
		write_file(dir, "pids", line);
		write_file(dir, "ready", "ready\n");
		wait_for_signal();
		ret = 0;
	}
	kill(peer, SIGKILL);
	while (waitpid(peer, NULL, 0) < 0 && errno == EINTR)
		;
	for (i = nfd; i-- > 0;)
		close(fds[i]);
	free(fds);
	free(buf);
	return ret;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: workload fds N M DIR | procs N DIR | tcp LISTEN ESTAB DIR | "
			"tcpq N BYTES DIR\n");
		return 2;
	}
	setup_signals();
	/* a process group of our own: run.sh kills it whole; and if run.sh dies
	 * without cleaning up (SIGKILL), we go too */
	if (getpgrp() != getpid())
		setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() == 1)
		return 1;
	if (!strcmp(argv[1], "fds") && argc == 5)
		return run_children(parse_count(argv[2], 30000), parse_count(argv[3], 1000000),
				    argv[4]);
	if (!strcmp(argv[1], "procs") && argc == 4)
		return run_children(parse_count(argv[2], 30000), 0, argv[3]);
	if (!strcmp(argv[1], "tcpq") && argc == 5)
		return run_tcpq(parse_count(argv[2], 15000), parse_count(argv[3], 1 << 20), argv[4]);
	if (!strcmp(argv[1], "tcp") && argc == 5)
		return run_tcp(parse_count(argv[2], 25000), parse_count(argv[3], 50000), argv[4]);
	fprintf(stderr, "workload: bad arguments (see the comment at the top of workload.c)\n");
	return 2;
}
