// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Option parsing shared by dump and pin. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "dump_opts.h"

enum { OPT_PID = 256, OPT_TID, OPT_CGROUP, OPT_ORDER, OPT_MAP, OPT_MODE, OPT_OWNER, OPT_GROUP,
       OPT_FORCE, OPT_NETNS, OPT_PIDNS, OPT_MNTNS, OPT_TARGET_PID, OPT_CONTAINER,
       OPT_INTERVAL, OPT_ROUNDS };

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
		{ "netns", required_argument, NULL, OPT_NETNS },
		{ "pidns", required_argument, NULL, OPT_PIDNS },
		{ "mntns", required_argument, NULL, OPT_MNTNS },
		{ "target-pid", required_argument, NULL, OPT_TARGET_PID },
		{ "container", required_argument, NULL, OPT_CONTAINER },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "rounds", required_argument, NULL, OPT_ROUNDS },
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
		case OPT_NETNS:
			a->q.netns = optarg;
			break;
		case OPT_PIDNS:
			a->q.pidns = optarg;
			break;
		case OPT_MNTNS:
			if (is_pin)
				return usage_err(cmd, "--mntns: a pinned dumper resolves paths "
						 "against its reader's root; it cannot keep this");
			a->q.mntns = optarg;
			break;
		case OPT_TARGET_PID:
		case OPT_CONTAINER:
			if (a->target_pid)
				return usage_err(cmd, "give one --target-pid or --container");
			if ((err = parse_pos_int(cmd, argv[optind - 1], optarg, &a->target_pid)))
				return err;
			a->container = opt == OPT_CONTAINER;
			break;
		case OPT_INTERVAL:
		case OPT_ROUNDS:
			if (strcmp(cmd, "dump"))
				return usage_err(cmd, "option '%s' applies to dump only",
						 argv[optind - 1]);
			err = opt == OPT_INTERVAL ? parse_interval(cmd, optarg, &a->interval)
						  : parse_rounds(cmd, optarg, &a->rounds);
			if (err)
				return err;
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
	if (a->rounds && !a->interval)
		return usage_err(cmd, "--rounds needs --interval");
	while (optind < argc) {
		if (a->positional_cnt >= (is_pin ? 2 : 1))
			return usage_err(cmd, "unexpected argument '%s'", argv[optind]);
		a->positional[a->positional_cnt++] = argv[optind++];
	}
	if (a->positional_cnt < (is_pin ? 2 : 1))
		return usage_err(cmd, is_pin ? "needs TARGET and PATH" : !strcmp(cmd, "run") ?
				 "needs a BPF object (PROG.bpf.o)" : "needs a TARGET "
				 "(see 'bpfdump targets')");
	a->q.target = a->positional[0];
	return -1;
}

/* A process's cgroup2 directory: "0::/path" of /proc/PID/cgroup under the mount. */
static int pid_cgroup(const char *cmd, int pid, char *out, size_t len)
{
	char path[64], line[4096], mnt[4096] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	f = fopen(path, "re");
	if (!f)
		return run_err("%s: --container %d: %s", cmd, pid, strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "0::", 3))
			break;
	fclose(f);
	if (strncmp(line, "0::", 3))
		return run_err("%s: --container %d: not in a cgroup2 hierarchy", cmd, pid);
	line[strcspn(line, "\n")] = 0;
	f = fopen("/proc/self/mounts", "re");
	if (f) {
		char dev[256], dir[4096], typ[64];

		while (fscanf(f, "%255s %4095s %63s %*[^\n]", dev, dir, typ) == 3)
			if (!strcmp(typ, "cgroup2")) {
				snprintf(mnt, sizeof(mnt), "%s", dir);
				break;
			}
		fclose(f);
	}
	if (!mnt[0])
		return run_err("%s: --container %d: no cgroup2 mount", cmd, pid);
	snprintf(out, len, "%s%s", mnt, line + 3);
	return 0;
}

int dump_args_scope(const char *cmd, struct bpfdump *d, struct dump_args *a)
{
	static const char *const kinds[] = { "net", "pid", "mnt" };
	bool is_pin = !strcmp(cmd, "pin");
	char path[64];
	int params, i;

	if (!a->target_pid)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d", a->target_pid);
	if (access(path, F_OK))
		return run_err("%s: --%s %d: no such process", cmd,
			       a->container ? "container" : "target-pid", a->target_pid);
	params = bpfdump__target_params(d, a->q.target);
	if (params < 0)
		return -1;	/* the query says which targets there are */
	if (!(params & (BPFDUMP_PARAM_NETNS | BPFDUMP_PARAM_PIDNS)))
		return run_err("%s: target '%s' is global: namespaces do not scope it (--%s "
			       "applies to task and socket targets)", cmd, a->q.target,
			       a->container ? "container" : "target-pid");
	for (i = 0; i < 3; i++)
		snprintf(a->ns_buf[i], sizeof(a->ns_buf[i]), "/proc/%d/ns/%s", a->target_pid,
			 kinds[i]);
	if ((params & BPFDUMP_PARAM_NETNS) && !a->q.netns)
		a->q.netns = a->ns_buf[0];
	if ((params & BPFDUMP_PARAM_PIDNS) && !a->q.pidns)
		a->q.pidns = a->ns_buf[1];
	if ((params & BPFDUMP_PARAM_PIDNS) && !a->q.mntns && !is_pin)
		a->q.mntns = a->ns_buf[2];
	if (a->container && (params & BPFDUMP_PARAM_PIDNS) && !a->q.cgroup) {
		if (pid_cgroup(cmd, a->target_pid, a->cgroup_buf, sizeof(a->cgroup_buf)))
			return 1;
		a->q.cgroup = a->cgroup_buf;
	}
	return -1;
}

int dump_args_open(const char *cmd, struct dump_args *a, struct bpfdump **d,
		   struct bpfdump_query **q)
{
	int err;

	*q = NULL;
	*d = cli_open();
	if (!*d)
		return 1;
	err = dump_args_scope(cmd, *d, a);
	if (err >= 0)
		goto free_ctx;
	*q = bpfdump_query__new(*d, &a->q);
	if (*q)
		return -1;
	err = run_err("%s", bpfdump__errmsg(*d));
free_ctx:
	bpfdump__free(*d);
	*d = NULL;
	return err;
}

/* ---- --interval / --rounds ---- */

int parse_interval(const char *cmd, const char *s, double *secs)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0.01 && v <= 86400))
		return usage_err(cmd, "--interval: '%s' is not a number of seconds from 0.01 "
				 "to 86400", s);
	*secs = v;
	return 0;
}

int parse_rounds(const char *cmd, const char *s, long *rounds)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1)
		return usage_err(cmd, "--rounds: '%s' is not a positive number", s);
	*rounds = v;
	return 0;
}

static volatile sig_atomic_t interval_stop;

static void on_stop(int sig)
{
	interval_stop = 1;
	signal(sig, SIG_DFL);
}

/* The round's block: its time first. */
static int put_round(const char *buf, size_t len, const char *when, long round, bool json)
{
	const char *p = buf, *e;

	if (!json)
		printf("# time %s round %ld\n", when, round);
	for (; p < buf + len; p = e + 1) {
		e = memchr(p, '\n', buf + len - p) ?: buf + len;
		if (json && *p == '{')
			printf("{\"time\":\"%s\",\"round\":%ld,%.*s\n", when, round,
			       (int)(e - p - 1), p + 1);
		else
			printf("%.*s\n", (int)(e - p), p);
	}
	if (!json)
		putchar('\n');
	return fflush(stdout) ? -errno : 0;
}

int interval_run(const char *cmd, double secs, long rounds, bool json, round_fn fn, void *ctx)
{
	struct sigaction sa = { .sa_handler = on_stop };
	struct timespec next;
	long round;
	int err = 0;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (round = 1; !interval_stop && (!rounds || round <= rounds); round++) {
		struct timespec now;
		char when[40], *buf = NULL;
		size_t len = 0;
		struct tm tm;
		FILE *mem;
		long n;

		clock_gettime(CLOCK_REALTIME, &now);
		gmtime_r(&now.tv_sec, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(when + strlen(when), sizeof(when) - strlen(when), ".%03ldZ",
			 now.tv_nsec / 1000000);
		mem = open_memstream(&buf, &len);
		if (!mem)
			return run_err("%s: %s", cmd, strerror(errno));
		n = fn(ctx, mem);
		if (fclose(mem) && n >= 0) {
			run_err("%s: %s", cmd, strerror(errno));
			n = -1;
		}
		if (n < 0) {
			free(buf);
			return 1;
		}
		err = put_round(buf ?: "", len, when, round, json);
		free(buf);
		if (err)
			return run_err("write error: %s", strerror(-err));
		if (rounds && round == rounds)
			break;
		/* a fixed schedule: start + round * secs, whatever each round took */
		next.tv_sec += (time_t)secs;
		next.tv_nsec += (long)((secs - (time_t)secs) * 1e9);
		if (next.tv_nsec >= 1000000000L) {
			next.tv_sec++;
			next.tv_nsec -= 1000000000L;
		}
		while (!interval_stop &&
		       clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
	}
	return 0;
}
