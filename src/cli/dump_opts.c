// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Option parsing shared by dump and pin. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dump_opts.h"

enum { OPT_PID = 256, OPT_TID, OPT_CGROUP, OPT_ORDER, OPT_MAP, OPT_MODE, OPT_OWNER, OPT_GROUP,
       OPT_FORCE };

static int parse_order(const char *cmd, const char *s, enum bpfdump_cgroup_order *o)
{
	static const char *const names[] = { NULL, "self", "descendants_pre", "descendants_post",
					     "ancestors_up" };
	int i;

	for (i = 1; i < 5; i++) {
		if (!strcmp(s, names[i])) {
			*o = i;
			return 0;
		}
	}
	return usage_err(cmd, "--order: '%s' is not one of self, descendants_pre, "
			 "descendants_post, ancestors_up", s);
}

int dump_args_parse(const char *cmd, int argc, char **argv, struct dump_args *a,
		    void (*help)(void))
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "where", required_argument, NULL, 'w' },
		{ "json", no_argument, NULL, 'J' },
		{ "raw", no_argument, NULL, 'r' },
		{ "noheadings", no_argument, NULL, 'n' },
		{ "pid", required_argument, NULL, OPT_PID },
		{ "tid", required_argument, NULL, OPT_TID },
		{ "cgroup", required_argument, NULL, OPT_CGROUP },
		{ "order", required_argument, NULL, OPT_ORDER },
		{ "map", required_argument, NULL, OPT_MAP },
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "owner", required_argument, NULL, OPT_OWNER },
		{ "group", required_argument, NULL, OPT_GROUP },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	bool is_pin = !strcmp(cmd, "pin");	/* TARGET PATH */
	int opt, err;
	char *end;

	memset(a, 0, sizeof(*a));
	a->q.sz = sizeof(a->q);
	a->print.sz = sizeof(a->print);
	a->mode = 0;
	while ((opt = getopt_long(argc, argv, "o:w:Jrnh", opts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			a->q.columns = optarg;
			break;
		case 'w':
			a->q.where = optarg;
			break;
		case 'J':
			a->print.format = BPFDUMP_FMT_JSON;
			break;
		case 'r':
			a->print.raw = true;
			break;
		case 'n':
			a->print.noheadings = true;
			break;
		case OPT_PID:
			if ((err = parse_pos_int(cmd, "--pid", optarg, &a->q.pid)))
				return err;
			break;
		case OPT_TID:
			if ((err = parse_pos_int(cmd, "--tid", optarg, &a->q.tid)))
				return err;
			break;
		case OPT_CGROUP:
			a->q.cgroup = optarg;
			break;
		case OPT_ORDER:
			if ((err = parse_order(cmd, optarg, &a->q.order)))
				return err;
			break;
		case OPT_MAP:
			a->q.map = optarg;
			break;
		case OPT_MODE:
		case OPT_OWNER:
		case OPT_GROUP:
		case OPT_FORCE:
			if (!is_pin)
				return usage_err(cmd, "option '%s' applies to pin only",
						 argv[optind - 1]);
			if (opt == OPT_MODE) {
				unsigned long m = strtoul(optarg, &end, 8);

				if (!*optarg || *end || m > 07777)
					return usage_err(cmd, "--mode: '%s' is not an octal mode",
							 optarg);
				a->mode = m;
			} else if (opt == OPT_OWNER) {
				a->owner = optarg;
			} else if (opt == OPT_GROUP) {
				a->group = optarg;
			} else {
				a->force = true;
			}
			break;
		case 'h':
			help();
			return 0;
		default:
			return bad_option(cmd, argv);
		}
	}
	if (a->q.pid && a->q.tid)
		return usage_err(cmd, "--pid and --tid exclude each other");
	if (a->print.format == BPFDUMP_FMT_JSON && a->print.raw)
		return usage_err(cmd, "-J and -r exclude each other");
	while (optind < argc) {
		if (a->positional_cnt >= (is_pin ? 2 : 1))
			return usage_err(cmd, "unexpected argument '%s'", argv[optind]);
		a->positional[a->positional_cnt++] = argv[optind++];
	}
	if (a->positional_cnt < (is_pin ? 2 : 1))
		return usage_err(cmd, is_pin ? "needs TARGET and PATH" : "needs a TARGET "
				 "(see 'bpfdump targets')");
	a->q.target = a->positional[0];
	return -1;
}
