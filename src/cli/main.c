// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* bpfdump: command dispatch and the helpers every command uses. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cli.h"

struct cli_env env;

static const struct cmd cmds[] = {
	{ "targets", cmd_targets, help_targets, "list iterator targets, or describe one" },
	{ "dump", cmd_dump, help_dump, "run an iterator once and print its rows" },
	{ "pin", cmd_pin, help_pin, "pin a dumper in bpffs that cat can read" },
	{ "cat", cmd_cat, help_cat, "read a pinned dumper, formatted in user space" },
	{ "show", cmd_show, help_show, "list pinned iterator links" },
	{ "rm", cmd_rm, help_rm, "remove a pinned dumper" },
	{ "run", cmd_run, help_run, "run a user's own iterator object (.bpf.o)" },
	{ "info", cmd_info, help_info, "a kernel function's or tracepoint's signature" },
	{ "trace", cmd_trace, help_trace, "trace functions and tracepoints, arguments by BTF" },
	{ "sql", cmd_sql, help_sql, "answer SQL over live kernel objects" },
	{ "serve", cmd_serve, help_serve, "serve SQL metrics to Prometheus over HTTP" },
	{ "metrics", cmd_metrics, help_metrics, "write SQL metrics once (node_exporter textfile)" },
	{ "snapshot", cmd_snapshot, help_snapshot, "one process's kernel state in one BPF pass" },
	{ "view", cmd_view, help_view, "a FUSE filesystem of dumpers and per-cgroup views" },
	{ "__complete-members", cmd_complete, help_complete, NULL },
	{ "__complete-funcs", cmd_complete, help_complete, NULL },
};

int usage_err(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bpfdump%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'bpfdump %s%s--help')\n", cmd ? cmd : "", cmd ? " " : "");
	return 2;
}

int bad_option(const char *cmd, char **argv)
{
	const char *arg = argv[optind - 1];

	if (optopt && arg[0] == '-' && arg[1] != '-' && !strchr(arg + 1, optopt))
		return usage_err(cmd, "unknown option '-%c'", optopt);
	return usage_err(cmd, "unknown option or missing value: '%s'", arg);
}

int run_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bpfdump: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

static void log_cb(enum bpfdump_log_level level, const char *msg, void *ctx)
{
	fprintf(stderr, "bpfdump: %s\n", msg);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (env.verbose < 2 && level != LIBBPF_WARN)
		return 0;
	if (env.verbose < 1)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static struct bpfdump *open_handle(bool lazy)
{
	struct bpfdump_opts opts = {
		.lazy_btf = lazy,
		.sz = sizeof(opts),
		.btf_path = env.btf_path,
		.log = log_cb,
		/* the library's own WARN for a failed open is the message we print */
		.log_level = env.verbose >= 2 ? BPFDUMP_DEBUG
			   : env.verbose ? BPFDUMP_INFO : BPFDUMP_WARN,
	};
	struct bpfdump *d = bpfdump__new(&opts);

	return d;
}

struct bpfdump *cli_open(void)
{
	return open_handle(false);
}

struct bpfdump *cli_open_lazy(void)
{
	return open_handle(true);
}

int cli_need_root(const char *what)
{
	if (geteuid() == 0)
		return 0;
	return run_err("%s: needs root (CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN for "
		       "iterators): run it with sudo", what);
}

int parse_pos_int(const char *cmd, const char *opt, const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || !*s || *end || v <= 0 || v > INT_MAX)
		return usage_err(cmd, "%s: '%s' is not a positive number", opt, s);
	*out = (int)v;
	return 0;
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: bpfdump [-v] [--btf PATH] COMMAND [ARGS]\n"
		   "       bpfdump --version | help [COMMAND]\n\nCommands:\n");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (!cmds[i].summary)
			continue;	/* hidden helpers of the shell completion */
		fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].summary);
	}
	fprintf(f, "\nSee 'bpfdump COMMAND --help' or man bpfdump-COMMAND.\n");
}

static const struct cmd *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

/* glibc ignores setvbuf's size without a buffer: give it one, from the heap
 * (huge pages, see heap.c), not .bss (a fault per 4 KiB page). Never freed:
 * stdout is flushed at exit. */
static void stdout_buffer(void)
{
	size_t size = 256 * 1024;
	char *buf = malloc(size);

	if (buf)
		setvbuf(stdout, buf, _IOFBF, size);
}

/* Like util-linux's close_stdout: rows still in stdout's buffer are written now, and
 * a failure (a full disk, a closed pipe) is an error of a command that had none. */
static int close_stdout(int rc)
{
	int err;

	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return rc;
	err = errno ? errno : EIO;
	if (rc)
		return rc;	/* the command said what went wrong */
	return run_err("write error: %s", strerror(err));
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "btf", required_argument, NULL, 'B' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const struct cmd *c;
	int opt;

	cli_heap_init();
	/* output to a file or pipe: 256 KiB per write(2), not 4 KiB: a large dump makes
	 * 64 times fewer system calls. A terminal stays line-buffered; tracing flushes
	 * after each batch of events. */
	if (!isatty(STDOUT_FILENO))
		stdout_buffer();
	libbpf_set_print(libbpf_print);
	/* BPF memory is charged to the memory cgroup on every kernel bpfdump runs on
	 * (5.11+): RLIMIT_MEMLOCK is not consulted, and libbpf need not load a
	 * program to find that out before the command's first map */
	libbpf_set_memlock_rlim(0);
	opterr = 0;	/* our own one-line messages */
	/* stop at the command: its options are its own */
	while ((opt = getopt_long(argc, argv, "+vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'v':
			env.verbose++;
			break;
		case 'B':
			env.btf_path = optarg;
			break;
		case 'V':
			return print_version();
		case 'h':
			usage(stdout);
			return 0;
		default:
			return usage_err(NULL, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[optind], "help")) {
		if (optind + 1 >= argc) {
			usage(stdout);
			return 0;
		}
		c = find_cmd(argv[optind + 1]);
		if (!c)
			return usage_err(NULL, "unknown command '%s'", argv[optind + 1]);
		c->help();
		return 0;
	}
	c = find_cmd(argv[optind]);
	if (!c)
		return usage_err(NULL, "unknown command '%s'", argv[optind]);
	argc -= optind;
	argv += optind;
	optind = 0;	/* 0: glibc re-initializes getopt (permuting again) */
	return close_stdout(c->run(argc, argv));
}
