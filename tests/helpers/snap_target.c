// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A process with known state for tests/integration/snapshot.sh: three named
 * threads, a regular file, a pipe, an eventfd, a timerfd, an epoll fd, TCP
 * listening + connected (with 100 unread bytes on the accepted side), UDP, a
 * unix listener + connected pair, a file-backed MAP_SHARED mapping, an
 * anonymous one and a MAP_SHARED anonymous one. With "fds N" it opens N more
 * fds of /dev/null; with "vmas N" N more separate mappings. It writes
 * DIR/ready (TCP port, unix path) and waits until killed.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void *thread_fn(void *arg)
{
	prctl(PR_SET_NAME, (char *)arg);
	for (;;)
		pause();
	return NULL;
}

int main(int argc, char **argv)
{
	static const char *names[] = { "snap_worker_a", "snap_worker_b", "snap_worker_c" };
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t sl = sizeof(sin);
	char path[512], buf[100];
	int lt, ct, at, us, ul, uc, ua, fd, pfd[2], i, extra_fds = 0, extra_vmas = 0;
	pthread_t th;
	FILE *f;
	char *m;

	if (argc < 2)
		return 2;
	for (i = 2; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "fds"))
			extra_fds = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "vmas"))
			extra_vmas = atoi(argv[i + 1]);
	}
	if (extra_fds) {
		struct rlimit rl;

		/* raise the soft limit to the hard one (raising the hard one needs
		 * CAP_SYS_RESOURCE, which a container may not give) */
		if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_max < (rlim_t)extra_fds + 64)
			die("RLIMIT_NOFILE hard limit too low for fds N");
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			die("setrlimit");
	}
	snprintf(path, sizeof(path), "%s/data", argv[1]);
	fd = open(path, O_RDWR | O_CREAT, 0644);
	if (fd < 0 || ftruncate(fd, 3 * 4096) || lseek(fd, 1234, SEEK_SET) != 1234)
		die("data file");
	m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		die("mmap file");
	m[0] = 1;
	m = mmap(NULL, 5 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		die("mmap anon");
	memset(m, 1, 5 * 4096);
	m = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		die("mmap shared anon");
	m[0] = 1;
	if (pipe(pfd) || eventfd(3, EFD_CLOEXEC) < 0 || timerfd_create(CLOCK_MONOTONIC, 0) < 0 ||
	    epoll_create1(0) < 0)
		die("pipe/eventfd/timerfd/epoll");

	lt = socket(AF_INET, SOCK_STREAM, 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (lt < 0 || bind(lt, (void *)&sin, sizeof(sin)) || listen(lt, 7) ||
	    getsockname(lt, (void *)&sin, &sl))
		die("tcp listen");
	ct = socket(AF_INET, SOCK_STREAM, 0);
	if (ct < 0 || connect(ct, (void *)&sin, sizeof(sin)) || (at = accept(lt, NULL, NULL)) < 0)
		die("tcp connect");
	memset(buf, 'x', sizeof(buf));
	if (write(ct, buf, sizeof(buf)) != sizeof(buf))
		die("tcp write");
	us = socket(AF_INET, SOCK_DGRAM, 0);
	if (us < 0 || bind(us, (void *)&(struct sockaddr_in){ .sin_family = AF_INET,
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK) }, sizeof(sin)))
		die("udp");
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/unix.sock", argv[1]);
	ul = socket(AF_UNIX, SOCK_STREAM, 0);
	if (ul < 0 || bind(ul, (void *)&sun, sizeof(sun)) || listen(ul, 3))
		die("unix listen");
	uc = socket(AF_UNIX, SOCK_STREAM, 0);
	if (uc < 0 || connect(uc, (void *)&sun, sizeof(sun)) || (ua = accept(ul, NULL, NULL)) < 0)
		die("unix connect");

	for (i = 0; i < extra_fds; i++)
		if (open("/dev/null", O_RDONLY) < 0)
			die("extra fds");
	for (i = 0; i < extra_vmas; i++) {
		/* alternating protections keep neighbours from merging */
		if (mmap(NULL, 4096, i % 2 ? PROT_READ : PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED)
			die("extra vmas");
	}
	for (i = 0; i < 3; i++)
		if (pthread_create(&th, NULL, thread_fn, (void *)names[i]))
			die("pthread_create");
	usleep(100000);	/* the threads name themselves */
	snprintf(path, sizeof(path), "%s/ready.tmp", argv[1]);
	f = fopen(path, "w");
	if (!f)
		die("ready");
	fprintf(f, "%u %s\n", ntohs(sin.sin_port), sun.sun_path);
	fclose(f);
	snprintf(buf, sizeof(buf), "%s/ready", argv[1]);
	rename(path, buf);
	(void)ua;
	(void)us;
	for (;;)
		pause();
}
