/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What the CLI's commands share: the global options and the context. */
#ifndef BPFDUMP_CLI_H
#define BPFDUMP_CLI_H

#include <stdbool.h>

#include "bpfdump.h"

#define __printf(a, b) __attribute__((format(printf, a, b)))

struct cli_env {
	int verbose;		/* -v: 1, -vv: 2 */
	const char *btf_path;	/* --btf */
	bool json;		/* -J given before the command */
};

extern struct cli_env env;

struct cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	void (*help)(void);
	const char *summary;
};

/* Usage error (exit 2) and runtime error (exit 1), one line on stderr. */
int usage_err(const char *cmd, const char *fmt, ...) __printf(2, 3);
int run_err(const char *fmt, ...) __printf(1, 2);
/* After getopt returned '?': name the option it did not take. */
int bad_option(const char *cmd, char **argv);
/* The options the small commands share (cli_opts.c). */
struct cli_cmd_opts {
	const char *name;	/* the command, for messages */
	const char *accept;	/* which of J, r, n, f it takes (h always) */
	int min_args, max_args;	/* operands (max -1: any number) */
	const char *args;	/* what they are, for "needs ..." and "at most ..." */
	void (*help)(void);
};
struct cli_common {
	struct bpfdump_print_opts po;	/* -J, -r, -n */
	bool force;			/* -f */
};
#define CLI_HELP_SHOWN (-1)
/* Parse argv; operands start at optind. 0, CLI_HELP_SHOWN (exit 0) or the exit code
 * of a usage error already printed. */
int cli_common_opts(const struct cli_cmd_opts *c, int argc, char **argv,
		    struct cli_common *out);
/* heap.c: advise the heap for transparent huge pages (first thing in main). */
void cli_heap_init(void);
/* Open the library context, reporting failure; NULL on error. */
struct bpfdump *cli_open(void);
/* The same, its BTF parsed only when something needs it (snapshot). */
struct bpfdump *cli_open_lazy(void);
/* Fail unless running with the privileges BPF needs. */
int cli_need_root(const char *what);
/* Parse a positive int option value. */
int parse_pos_int(const char *cmd, const char *opt, const char *s, int *out);

int cmd_targets(int argc, char **argv);
void help_targets(void);
int cmd_dump(int argc, char **argv);
void help_dump(void);
int cmd_pin(int argc, char **argv);
void help_pin(void);
int cmd_cat(int argc, char **argv);
void help_cat(void);
int cmd_show(int argc, char **argv);
void help_show(void);
int cmd_rm(int argc, char **argv);
void help_rm(void);
int cmd_run(int argc, char **argv);
void help_run(void);
int cmd_complete(int argc, char **argv);
void help_complete(void);
int print_version(void);
int cmd_info(int argc, char **argv);
void help_info(void);
int cmd_trace(int argc, char **argv);
void help_trace(void);
int cmd_snapshot(int argc, char **argv);
void help_snapshot(void);
int cmd_view(int argc, char **argv);
void help_view(void);
int cmd_sql(int argc, char **argv);
void help_sql(void);
int cmd_serve(int argc, char **argv);
void help_serve(void);
int cmd_metrics(int argc, char **argv);
void help_metrics(void);

#endif
