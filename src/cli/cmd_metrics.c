// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* bpfdump metrics --config FILE --textfile DIR: the metrics once, for node_exporter. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "metrics.h"

#define TEXTFILE_NAME "bpfdump.prom"

void help_metrics(void)
{
	printf("Usage: bpfdump metrics --config FILE [--textfile DIR]\n\n"
	       "Run the metrics of FILE once (as bpfdump serve does per scrape) and write\n"
	       "them in Prometheus's text format to DIR/" TEXTFILE_NAME " (a temporary file\n"
	       "renamed over it, for node_exporter's textfile collector), or to stdout.\n\n"
	       "Options:\n"
	       "  -c, --config FILE     the metrics (see bpfdump-serve(8))\n"
	       "  -t, --textfile DIR    the directory node_exporter's textfile collector reads\n"
	       "  -h, --help            this help\n");
}

/* page into dir/bpfdump.prom: written whole under a temporary name, then renamed. */
static int write_textfile(const char *dir, const char *page, size_t len)
{
	char tmp[4096], dst[4096];
	size_t off = 0;
	int fd, err = 0;

	if (snprintf(tmp, sizeof(tmp), "%s/." TEXTFILE_NAME ".XXXXXX", dir) >= (int)sizeof(tmp) ||
	    snprintf(dst, sizeof(dst), "%s/" TEXTFILE_NAME, dir) >= (int)sizeof(dst))
		return run_err("metrics: --textfile '%s': path too long", dir);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return run_err("metrics: --textfile '%s': cannot create a file there: %s", dir,
			       strerror(errno));
	while (off < len) {
		ssize_t n = write(fd, page + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = errno;
			break;
		}
		off += n;
	}
	if (!err && (fchmod(fd, 0644) || fsync(fd)))
		err = errno;
	if (close(fd) && !err)
		err = errno;
	if (!err && rename(tmp, dst))
		err = errno;
	if (err) {
		unlink(tmp);
		return run_err("metrics: cannot write %s: %s", dst, strerror(err));
	}
	return 0;
}

int cmd_metrics(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "textfile", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *config = NULL, *dir = NULL;
	struct bd_metrics *ms;
	struct bpfdump *d;
	struct stat st;
	char *page;
	size_t len;
	int opt, failed, err = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "c:t:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config = optarg;
			break;
		case 't':
			dir = optarg;
			break;
		case 'h':
			help_metrics();
			return 0;
		default:
			return bad_option("metrics", argv);
		}
	}
	if (optind != argc)
		return usage_err("metrics", "unexpected '%s'", argv[optind]);
	if (!config)
		return usage_err("metrics", "missing --config FILE");
	if (dir && (stat(dir, &st) || !S_ISDIR(st.st_mode)))
		return run_err("metrics: --textfile '%s': not a directory", dir);
	if (cli_need_root("metrics"))
		return 1;
	d = cli_open();
	if (!d)
		return 1;
	ms = bd_metrics__load(d, config);
	if (!ms) {
		err = run_err("%s", bpfdump__errmsg(d)[0] ? bpfdump__errmsg(d) : strerror(errno));
		goto free_ctx;
	}
	failed = bd_metrics__render(ms, false, &page, &len);
	if (failed < 0) {
		err = run_err("metrics: %s", strerror(-failed));
		goto free_metrics;
	}
	if (dir) {
		err = write_textfile(dir, page, len);
	} else if (fwrite(page, 1, len, stdout) != len || fflush(stdout)) {
		err = run_err("write error: %s", strerror(errno));
	}
	free(page);
	/* the page went out without the failed metrics' series: say so in the exit code */
	if (!err && failed)
		err = run_err("metrics: %d of %d metrics failed (see above)", failed,
			      bd_metrics__count(ms));
free_metrics:
	bd_metrics__free(ms);
free_ctx:
	bpfdump__free(d);
	return err;
}
