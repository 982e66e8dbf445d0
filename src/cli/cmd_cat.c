// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* bpfdump cat PATH: read a pinned dumper with full user-space formatting. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

void help_cat(void)
{
	printf("Usage: bpfdump cat PATH [-J | -r] [-n]\n\n"
	       "Read a dumper that bpfdump pinned, through its binary twin, and format the rows\n"
	       "in user space (enum names, addresses, paths, structs) like bpfdump dump.\n"
	       "A user refused bpf() gets the text the kernel formats, as plain cat does.\n\n"
	       "Options:\n"
	       "  -J, --json         one JSON object per line\n"
	       "  -r, --raw          no alignment\n"
	       "  -n, --noheadings   no header line\n"
	       "  -h, --help         this help\n");
}

/* kernel.unprivileged_bpf_disabled: 0 allows bpf() to everyone; -1 when unreadable */
static int unpriv_bpf_disabled(void)
{
	FILE *f = fopen("/proc/sys/kernel/unprivileged_bpf_disabled", "re");
	int v = -1;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* The pin's text as the kernel writes it: what plain cat reads, with the reader's
 * own rights (this process has no others). */
static int cat_text(const char *path)
{
	char buf[65536];
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return run_err("cat '%s': %s", path, strerror(errno));
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (fwrite(buf, 1, n, stdout) != (size_t)n) {
			err = run_err("write error: %s", strerror(errno));
			goto close_fd;
		}
	if (n < 0)
		err = run_err("cat '%s': read failed: %s", path, strerror(errno));
	else if (fflush(stdout))
		err = run_err("write error: %s", strerror(errno));
close_fd:
	close(fd);
	return err;
}

/*
 * The formatted read needs bpf() on the pin and its twins. A user the kernel refuses
 * bpf() to reads the text the kernel writes, as plain cat would; with -J, -r or -n,
 * which need the twin, the error says why.
 */
static int cat_unprivileged(const char *path, const struct bpfdump_print_opts *po, int err)
{
	int mode = unpriv_bpf_disabled();

	if (!po->format && !po->raw && !po->noheadings)
		return cat_text(path);
	if (mode > 0)
		return run_err("cat '%s': %s: unprivileged bpf() is disabled here "
			       "(kernel.unprivileged_bpf_disabled=%d) and -J, -r and -n need it; "
			       "without them, bpfdump cat reads the text as plain cat does",
			       path, strerror(-err), mode);
	return run_err("cat '%s': %s: -J, -r and -n need bpf() on the pin; without them, "
		       "bpfdump cat reads the text as plain cat does", path, strerror(-err));
}

int cmd_cat(int argc, char **argv)
{
	static const struct cli_cmd_opts cmd = {
		.name = "cat", .accept = "Jrn", .min_args = 1, .max_args = 1,
		.args = "one PATH", .help = help_cat,
	};
	struct cli_common c;
	struct bpfdump *d;
	int err;
	long ret;

	err = cli_common_opts(&cmd, argc, argv, &c);
	if (err)
		return err == CLI_HELP_SHOWN ? 0 : err;
	d = cli_open();
	if (!d)
		return 1;
	ret = bpfdump__cat(d, argv[optind], stdout, &c.po);
	if ((ret == -EPERM || ret == -EACCES) && geteuid())
		err = cat_unprivileged(argv[optind], &c.po, ret);
	else if (ret < 0)
		err = run_err("%s", bpfdump__errmsg(d));
	bpfdump__free(d);
	return err;
}
