// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The best /proc reader of a process's state one can write, for the snapshot
 * benchmark: the facts `bpfdump snapshot` reports, read from
 * /proc/PID/ status, maps, limits, cgroup, net, ns, fd and fdinfo with openat and
 * readlinkat relative to the PID directory, into one output buffer.
 * Usage: proc_snapshot PID [PID...] (one after another, as bpfdump snapshot PID...)
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *out;
static size_t out_len, out_cap;

static void put(const char *s, size_t n)
{
	if (out_len + n > out_cap) {
		out_cap = (out_len + n) * 2;
		out = realloc(out, out_cap);
		if (!out)
			exit(1);
	}
	memcpy(out + out_len, s, n);
	out_len += n;
}

/* The whole file at dirfd/name into the output. */
static void put_file(int dirfd, const char *name)
{
	char buf[65536];
	ssize_t n;
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		put(buf, n);
	close(fd);
}

static void put_link(int dirfd, const char *name)
{
	char buf[4096];
	ssize_t n = readlinkat(dirfd, name, buf, sizeof(buf) - 1);

	if (n < 0)
		return;
	put(name, strlen(name));
	put(" ", 1);
	put(buf, n);
	put("\n", 1);
}

static int snapshot(const char *pid)
{
	static const char *const files[] = { "status", "maps", "limits", "cgroup", "net/tcp",
					     "net/tcp6", "net/udp", "net/udp6", "net/unix" };
	static const char *const ns[] = { "mnt", "uts", "ipc", "pid", "net", "user", "cgroup",
					  "time" };
	char path[64];
	int pfd, nsfd, fdfd, infofd;
	struct dirent *de;
	size_t i;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%s", pid);
	pfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pfd < 0) {
		perror(path);
		return 1;
	}
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		put_file(pfd, files[i]);
	nsfd = openat(pfd, "ns", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (i = 0; nsfd >= 0 && i < sizeof(ns) / sizeof(ns[0]); i++)
		put_link(nsfd, ns[i]);
	fdfd = openat(pfd, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	infofd = openat(pfd, "fdinfo", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = fdfd >= 0 ? fdopendir(dup(fdfd)) : NULL;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		put_link(fdfd, de->d_name);
		put_file(infofd, de->d_name);
	}
	if (d)
		closedir(d);
	for (i = 0; i < 4; i++) {
		int fd = i == 0 ? pfd : i == 1 ? nsfd : i == 2 ? fdfd : infofd;

		if (fd >= 0)
			close(fd);
	}
	fwrite(out, 1, out_len, stdout);
	out_len = 0;
	return 0;
}

int main(int argc, char **argv)
{
	int i, err = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: proc_snapshot PID [PID...]\n");
		return 2;
	}
	for (i = 1; i < argc; i++)
		err |= snapshot(argv[i]);
	return err;
}
