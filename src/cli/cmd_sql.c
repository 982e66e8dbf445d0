// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* bpfdump sql 'QUERY': SQL over the iterator targets, filters pushed into BPF. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dump_opts.h"
#include "sql_prep.h"

void help_sql(void)
{
	printf("Usage: bpfdump sql [-J | -r] [-n] [--no-pushdown]\n"
	       "                   [--interval SECS [--rounds N]] 'QUERY'\n"
	       "       bpfdump sql --views\n\n"
	       "Answer QUERY (SQLite's SQL) over live kernel objects: every iterator target\n"
	       "is a table of its name, its columns the target's default columns; a field\n"
	       "path in double quotes is a column too (\"task->mm->total_vm\", \"path(file)\").\n"
	       "Target parameters are table arguments: task_file(PID), bpf_map_elem('MAP'),\n"
	       "tcp('/proc/PID/ns/net'). Constraints against constants on field-path columns\n"
	       "run in the kernel; each target is read once per query.\n\n"
	       "Options:\n"
	       "  -J, --json           one JSON object per line\n"
	       "  -r, --raw            no alignment: cells separated by one space\n"
	       "  -n, --noheadings     no header line\n"
	       "      --no-pushdown    SQLite evaluates every constraint (same rows)\n"
	       "      --views          the built-in views and their SQL\n"
	       INTERVAL_HELP
	       "  -h, --help           this help\n\n"
	       "Example: bpfdump sql 'SELECT pid, count(*) AS n FROM task_file GROUP BY pid\n"
	       "                     ORDER BY n DESC LIMIT 5'\n");
}

static int print_views(void)
{
	const char *name, *sql;
	int i;

	for (i = 0; (name = bpfdump_sql_view(i, &sql)); i++)
		printf("%s: %s\n", name, sql);
	return 0;
}

struct sql_round {
	struct bpfdump *d;
	struct bd_sql_prep *p;
	const struct bpfdump_print_opts *print;
};

/* One round of --interval: the prepared statement run again, its programs kept. */
static long sql_round(void *ctx, FILE *out)
{
	struct sql_round *r = ctx;
	long rows = bd_sql_prep_print(r->p, out, r->print);

	if (rows < 0) {
		run_err("%s", bpfdump__errmsg(r->d)[0] ? bpfdump__errmsg(r->d) : strerror(-rows));
		return -1;
	}
	return rows;
}

static int sql_interval(struct bpfdump *d, const char *query, bool pushdown, double secs,
			long rounds, const struct bpfdump_print_opts *po)
{
	struct sql_round r = { .d = d, .print = po };
	int err;

	r.p = bd_sql_prep_new(d, query, pushdown);
	if (!r.p)
		return run_err("%s", bpfdump__errmsg(d)[0] ? bpfdump__errmsg(d) : strerror(errno));
	err = interval_run("sql", secs, rounds, po->format == BPFDUMP_FMT_JSON, sql_round, &r);
	bd_sql_prep_free(r.p);
	return err;
}

int cmd_sql(int argc, char **argv)
{
	enum { OPT_VIEWS = 256, OPT_NO_PUSHDOWN, OPT_INTERVAL, OPT_ROUNDS };
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "raw", no_argument, NULL, 'r' },
		{ "noheadings", no_argument, NULL, 'n' },
		{ "views", no_argument, NULL, OPT_VIEWS },
		{ "no-pushdown", no_argument, NULL, OPT_NO_PUSHDOWN },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "rounds", required_argument, NULL, OPT_ROUNDS },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	BPFDUMP_OPTS(bpfdump_print_opts, po, .format = env.json ? BPFDUMP_FMT_JSON
							       : BPFDUMP_FMT_TABLE);
	BPFDUMP_OPTS(bpfdump_sql_opts, so, .print = &po);
	struct bpfdump *d;
	bool views = false;
	double interval = 0;
	long rows, rounds = 0;
	int opt, err = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "Jrnh", opts, NULL)) != -1) {
		switch (opt) {
		case 'J':
			po.format = BPFDUMP_FMT_JSON;
			break;
		case 'r':
			po.raw = true;
			break;
		case 'n':
			po.noheadings = true;
			break;
		case OPT_VIEWS:
			views = true;
			break;
		case OPT_NO_PUSHDOWN:
			so.no_pushdown = true;
			break;
		case OPT_INTERVAL:
			if ((err = parse_interval("sql", optarg, &interval)))
				return err;
			break;
		case OPT_ROUNDS:
			if ((err = parse_rounds("sql", optarg, &rounds)))
				return err;
			break;
		case 'h':
			help_sql();
			return 0;
		default:
			return bad_option("sql", argv);
		}
	}
	if (views) {
		if (optind != argc)
			return usage_err("sql", "--views takes no query");
		return print_views();
	}
	if (optind == argc)
		return usage_err("sql", "missing QUERY");
	if (optind + 1 != argc)
		return usage_err("sql", "one QUERY (quote it): unexpected '%s'", argv[optind + 1]);
	if (rounds && !interval)
		return usage_err("sql", "--rounds needs --interval");
	if (cli_need_root("sql"))
		return 1;
	d = cli_open();
	if (!d)
		return 1;
	if (interval) {
		err = sql_interval(d, argv[optind], !so.no_pushdown, interval, rounds, &po);
		bpfdump__free(d);
		return err;
	}
	rows = bpfdump__sql(d, argv[optind], stdout, &so);
	if (rows < 0 && ferror(stdout))
		err = run_err("write error: %s", strerror(-rows));
	else if (rows < 0)
		err = run_err("%s", bpfdump__errmsg(d)[0] ? bpfdump__errmsg(d) : strerror(-rows));
	else if (env.verbose)
		fprintf(stderr, "bpfdump: %ld rows\n", rows);
	bpfdump__free(d);
	return err;
}
