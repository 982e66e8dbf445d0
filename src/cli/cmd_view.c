// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* bpfdump view mount|add|rm|list: a filesystem of dumpers and per-cgroup views. */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "bpfdump_view.h"
#include "cli.h"

void help_view(void)
{
	printf("Usage: bpfdump view mount DIR [--allow-other] [-f] [--config FILE] [--bpffs DIR]\n"
	       "                          [--default-mode MODE] [--threads N]\n"
	       "       bpfdump view add NAME FIELDS --target TARGET [-w EXPR] [--pidns FILE]\n"
	       "                        [--mode MODE]\n"
	       "                        [--owner USER] [--group GROUP] [--config FILE]\n"
	       "       bpfdump view rm NAME [--config FILE]\n"
	       "       bpfdump view list [-J | -r] [-n] [--config FILE]\n\n"
	       "mount: a FUSE filesystem at DIR: DIR/TARGET/_default (the target's default\n"
	       "columns), DIR/TARGET/NAME for each dumper bpfdump pinned, and\n"
	       "DIR/cgroup/PATH/VIEW for each view run for that cgroup only; NAME.json for JSON.\n"
	       "add/rm/list: the views, kept in FILE (default $BPFDUMP_VIEWS, else\n"
	       BPFDUMP_VIEWS_CONF "); a mount picks changes up at once.\n\n"
	       "Options:\n"
	       "      --allow-other     mount: let other users in (dumpers as their pins allow\n"
	       "                        them, views by their mode; bpfdump-view(8), ACCESS)\n"
	       "  -f, --foreground      mount: stay in the foreground (default: daemonize)\n"
	       "      --bpffs DIR       mount: look for dumpers under DIR only (default: every bpffs)\n"
	       "      --default-mode MODE\n"
	       "                        mount: mode of _default files and built-in views (0400)\n"
	       "      --threads N       mount: at most N FUSE worker threads (16)\n"
	       "  -t, --target TARGET   add: task, task_file, task_vma or cgroup\n"
	       "  -w, --where EXPR      add: predicate, as for dump\n"
	       "      --pidns FILE      add: bind the view to a pid namespace (/proc/N/ns/pid):\n"
	       "                        its tasks, numbered by nspid()/nstgid() as it does\n"
	       "      --mode MODE       add: file mode of the view, octal (default 0400)\n"
	       "      --owner USER      add: owner of the view (default root)\n"
	       "      --group GROUP     add: group of the view (default root)\n"
	       "      --config FILE     the views file\n"
	       "  -J, --json            list: one JSON object per line\n"
	       "  -r, --raw             list: no alignment\n"
	       "  -n, --noheadings      list: no header line\n"
	       "  -h, --help            this help\n");
}

enum { OPT_ALLOW_OTHER = 256, OPT_BPFFS, OPT_DEFAULT_MODE, OPT_THREADS, OPT_MODE, OPT_OWNER,
       OPT_GROUP, OPT_CONFIG, OPT_PIDNS };

struct view_args {
	const char *sub;
	const char *pos[2];
	int pos_cnt;
	struct bpfdump_mount_opts mo;
	struct bpfdump_view_opts vo;
	struct bpfdump_print_opts po;
	const char *conf;
	bool mount_opt, add_opt, list_opt;	/* which kinds of option were given */
};

static bool foreground;	/* the log goes to stderr, else to syslog too */

/* A daemon logs to syslog, and to stderr as well: until it has daemonized that is the
 * terminal of whoever started it (a dead mount replaced, say), then /dev/null. */
static void view_log(enum bpfdump_log_level level, const char *msg, void *ctx)
{
	if (!foreground)
		syslog(level == BPFDUMP_WARN ? LOG_WARNING : LOG_INFO, "%s", msg);
	fprintf(stderr, "bpfdump: %s\n", msg);
}

static int parse_mode(const char *s, unsigned int *out)
{
	char *end;
	unsigned long m = strtoul(s, &end, 8);

	if (!*s || *end || m > 07777 || !m)
		return usage_err("view", "'%s' is not an octal mode", s);
	*out = m;
	return 0;
}

static int parse_id(const char *s, bool user, int *out)
{
	struct passwd *pw = user ? getpwnam(s) : NULL;
	struct group *gr = user ? NULL : getgrnam(s);
	char *end;
	long v = strtol(s, &end, 10);

	if (pw)
		*out = pw->pw_uid;
	else if (gr)
		*out = gr->gr_gid;
	else if (*s && !*end && v >= 0 && v < 0x7fffffff)
		*out = v;
	else
		return usage_err("view", "no %s '%s'", user ? "user" : "group", s);
	return 0;
}

static int parse_args(int argc, char **argv, struct view_args *a)
{
	static const struct option opts[] = {
		{ "allow-other", no_argument, NULL, OPT_ALLOW_OTHER },
		{ "foreground", no_argument, NULL, 'f' },
		{ "bpffs", required_argument, NULL, OPT_BPFFS },
		{ "default-mode", required_argument, NULL, OPT_DEFAULT_MODE },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "target", required_argument, NULL, 't' },
		{ "where", required_argument, NULL, 'w' },
		{ "pidns", required_argument, NULL, OPT_PIDNS },
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "owner", required_argument, NULL, OPT_OWNER },
		{ "group", required_argument, NULL, OPT_GROUP },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "json", no_argument, NULL, 'J' },
		{ "raw", no_argument, NULL, 'r' },
		{ "noheadings", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int opt, err;

	while ((opt = getopt_long(argc, argv, "ft:w:Jrnh", opts, NULL)) != -1) {
		switch (opt) {
		case OPT_ALLOW_OTHER: a->mo.allow_other = true; a->mount_opt = true; break;
		case 'f': a->mo.foreground = true; a->mount_opt = true; break;
		case OPT_BPFFS: a->mo.bpffs = optarg; a->mount_opt = true; break;
		case OPT_DEFAULT_MODE:
			if ((err = parse_mode(optarg, &a->mo.default_mode)))
				return err;
			a->mount_opt = true;
			break;
		case OPT_THREADS:
			if ((err = parse_pos_int("view", "--threads", optarg, &a->mo.threads)))
				return err;
			a->mount_opt = true;
			break;
		case 't': a->vo.target = optarg; a->add_opt = true; break;
		case 'w': a->vo.where = optarg; a->add_opt = true; break;
		case OPT_PIDNS: a->vo.pidns = optarg; a->add_opt = true; break;
		case OPT_MODE:
			if ((err = parse_mode(optarg, &a->vo.mode)))
				return err;
			a->add_opt = true;
			break;
		case OPT_OWNER:
			if ((err = parse_id(optarg, true, &a->vo.uid)))
				return err;
			a->add_opt = true;
			break;
		case OPT_GROUP:
			if ((err = parse_id(optarg, false, &a->vo.gid)))
				return err;
			a->add_opt = true;
			break;
		case OPT_CONFIG: a->conf = optarg; break;
		case 'J': a->po.format = BPFDUMP_FMT_JSON; a->list_opt = true; break;
		case 'r': a->po.raw = true; a->list_opt = true; break;
		case 'n': a->po.noheadings = true; a->list_opt = true; break;
		case 'h': help_view(); return 0;
		default: return bad_option("view", argv);
		}
	}
	while (optind < argc) {
		if (!a->sub) {
			a->sub = argv[optind++];
			continue;
		}
		if (a->pos_cnt >= 2)
			return usage_err("view", "unexpected argument '%s'", argv[optind]);
		a->pos[a->pos_cnt++] = argv[optind++];
	}
	return -1;
}

/* Options and positional arguments fit the subcommand. */
static int check_args(const struct view_args *a)
{
	static const struct { const char *sub; int pos; bool mount, add, list; } subs[] = {
		{ "mount", 1, true, false, false },
		{ "add", 2, false, true, false },
		{ "rm", 1, false, false, false },
		{ "list", 0, false, false, true },
	};
	size_t i;

	if (!a->sub)
		return usage_err("view", "needs a subcommand: mount, add, rm or list");
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		if (strcmp(subs[i].sub, a->sub))
			continue;
		if (a->pos_cnt != subs[i].pos)
			return usage_err("view", "%s takes %s", a->sub,
					 subs[i].pos == 0 ? "no argument" :
					 subs[i].pos == 1 ? (i ? "a NAME" : "a DIR") :
					 "NAME and FIELDS");
		if ((a->mount_opt && !subs[i].mount) || (a->add_opt && !subs[i].add) ||
		    (a->list_opt && !subs[i].list))
			return usage_err("view", "an option given does not apply to %s", a->sub);
		if (subs[i].add && !a->vo.target)
			return usage_err("view", "add needs --target TARGET");
		if (a->po.format == BPFDUMP_FMT_JSON && a->po.raw)
			return usage_err("view", "-J and -r exclude each other");
		return -1;
	}
	return usage_err("view", "unknown subcommand '%s' (mount, add, rm or list)", a->sub);
}

static struct bpfdump *open_ctx(void)
{
	BPFDUMP_OPTS(bpfdump_opts, o, .btf_path = env.btf_path, .log = view_log,
		     .log_level = env.verbose >= 2 ? BPFDUMP_DEBUG
				: env.verbose ? BPFDUMP_INFO : BPFDUMP_WARN);
	struct bpfdump *d = bpfdump__new(&o);

	if (!d)
		run_err("cannot open BTF: %s", strerror(errno));
	return d;
}

int cmd_view(int argc, char **argv)
{
	struct view_args a = {};
	struct bpfdump *d;
	int err;

	a.mo.sz = sizeof(a.mo);
	a.vo.sz = sizeof(a.vo);
	a.po.sz = sizeof(a.po);
	err = parse_args(argc, argv, &a);
	if (err >= 0)
		return err;
	err = check_args(&a);
	if (err >= 0)
		return err;
	if (strcmp(a.sub, "list") && cli_need_root(a.sub[0] == 'm' ? "view mount" : "view"))
		return 1;
	foreground = true;
	d = open_ctx();
	if (!d)
		return 1;
	err = 0;
	if (!strcmp(a.sub, "mount")) {
		a.mo.conf = a.conf;
		if (!a.mo.foreground) {
			openlog("bpfdump", LOG_PID, LOG_DAEMON);
			foreground = false;
		}
		if (bpfdump__view_mount(d, a.pos[0], &a.mo) < 0)
			err = run_err("%s", bpfdump__errmsg(d));
	} else if (!strcmp(a.sub, "add")) {
		a.vo.columns = a.pos[1];
		if (bpfdump__view_add(d, a.conf, a.pos[0], &a.vo) < 0)
			err = run_err("%s", bpfdump__errmsg(d));
	} else if (!strcmp(a.sub, "rm")) {
		if (bpfdump__view_remove(d, a.conf, a.pos[0]) < 0)
			err = run_err("%s", bpfdump__errmsg(d));
	} else if (bpfdump__view_list(d, a.conf, stdout, &a.po) < 0) {
		err = run_err("%s", bpfdump__errmsg(d));
	}
	bpfdump__free(d);
	return err;
}
