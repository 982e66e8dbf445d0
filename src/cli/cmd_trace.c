// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* bpfdump trace SPEC...: kernel functions and tracepoints, arguments by BTF. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "bpfdump_trace.h"
#include "cli.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
	signal(sig, SIG_DFL);	/* a second Ctrl-C ends it the hard way */
}

void help_trace(void)
{
	printf("Usage: bpfdump trace [-p PID [--follow]] [--cgroup PATH] [--mode MODE] [-J] [-c COUNT]\n"
	       "                     [-d SECONDS] [--size BYTES] [--multiline] [--zeroes] [--stack]\n"
	       "                     [--ustack] [--latency [--latency-end tp:GROUP:NAME]] [--user USER]\n"
	       "                     [--agg 'FN[(VALUE)] [BY KEY, ...]' [--top N] [-i SECS]\n"
	       "                     [--max-keys N]] SPEC... [-- CMD [ARG...]]\n\n"
	       "Trace kernel functions or tracepoints and print their arguments, members and\n"
	       "return values, pretty-printed by BTF. SPEC is FUNC, FUNC(ITEM, ...),\n"
	       "tp:GROUP:NAME(ITEM, ...) or syscall:NAME(ITEM, ...); an ITEM is a value to print (skb, skb->dev->name,\n"
	       "return) or a predicate (skb->len == 84, return != 0). All predicates must hold;\n"
	       "they run in the kernel before anything is copied. A SPEC that reads 'return'\n"
	       "keeps the arguments at entry and prints one event at return. A bare FUNC prints\n"
	       "its arguments at entry and its return value at exit. Every SPEC also knows the\n"
	       "running task's comm, pid, tid, uid, gid, cpu and cgroup (id), as values and in\n"
	       "predicates: 'tp:syscalls:sys_enter_openat(comm == \"cat\", uid)'.\n\n"
	       "syscall:NAME(ITEM, ...) is a system call as one event: its sys_enter and\n"
	       "sys_exit tracepoints paired per thread, printed as strace does, the arguments,\n"
	       "flags and errors by name: cat 4242 openat(AT_FDCWD, \"/etc/hostname\",\n"
	       "O_RDONLY|O_CLOEXEC, 0) = 3. ITEMs are its arguments and 'return', names of\n"
	       "constants included: 'syscall:openat(filename, return == -ENOENT)'.\n"
	       "syscall:open,openat,close and syscall:GLOB (syscall:*) trace several.\n\n"
	       "--agg aggregates in the kernel instead of printing events: FN is count, sum,\n"
	       "min, max, avg or hist (power-of-two buckets), VALUE and the KEYs are values of\n"
	       "the SPEC: --agg 'count BY comm', --agg 'hist(return) BY comm'. Printed at the\n"
	       "end (or Ctrl-C) and every -i SECS, the largest last.\n\n"
	       "--stack adds the kernel stack to each event, symbolized from /proc/kallsyms\n"
	       "(func+0xoff [module]); --ustack the user stack, symbolized from the process's\n"
	       "ELF files. 'kstack' and 'ustack' are also values of every SPEC, and keys:\n"
	       "--agg 'count BY kstack' counts per stack.\n\n"
	       "-- CMD [ARG...] starts CMD (as the caller: root under sudo), held until the\n"
	       "probes are attached, in a cgroup made for it; only CMD and its descendants are\n"
	       "traced, the trace ends when CMD exits and exits with its exit code (127: not\n"
	       "found, 126: not executable, 128+N: killed by signal N); --user runs it as USER.\n\n"
	       "--latency gives each event latency_ns, the time from a function's entry to its\n"
	       "return, or from a tracepoint's hit to the --latency-end tracepoint's on the same\n"
	       "thread; 'latency' is also a value: --agg 'hist(latency) BY comm'.\n\n"
	       "Options:\n"
	       "  -p, --pid PID        only this process\n"
	       "      --follow         with -p: its descendants too, also those forked later\n"
	       "      --user USER      run the command as USER (name or uid), with its groups\n"
	       "      --latency        entry-to-return time of each call (latency_ns)\n"
	       "      --latency-end TP\n"
	       "                       the tracepoint that ends a tracepoint SPEC's latency on\n"
	       "                       the same thread (tp:raw_syscalls:sys_exit for\n"
	       "                       tp:raw_syscalls:sys_enter)\n"
	       "      --cgroup PATH    only tasks in this cgroup2 subtree (a container), checked\n"
	       "                       in the program (bpf_get_current_ancestor_cgroup_id)\n"
	       "      --mode MODE      fentry, kprobe, tp_btf, raw_tp or tracepoint (default: the\n"
	       "                       best that works here, said on stderr; tracepoint: those\n"
	       "                       without a BTF type, like syscalls:*, typed from tracefs)\n"
	       "  -J, --json           one JSON object per event\n"
	       "  -c, --count COUNT    stop after COUNT events\n"
	       "  -d, --duration SECS  stop after SECS seconds\n"
	       "      --size BYTES     bytes copied of a struct behind a pointer (default 1024)\n"
	       "      --multiline      structs on several lines\n"
	       "      --zeroes         show zero-valued members too\n"
	       "      --stack          the kernel stack of each event (kstack)\n"
	       "      --ustack         the user stack of each event (ustack)\n"
	       "      --agg EXPR       count | sum(V) | min(V) | max(V) | avg(V) | hist(V),\n"
	       "                       then optionally BY KEY[, KEY...]\n"
	       "      --top N          print only the N largest aggregates\n"
	       "  -i, --interval SECS  print the aggregates every SECS seconds too\n"
	       "      --max-keys N     aggregation map size (default 10240; what does not fit\n"
	       "                       is counted and reported)\n"
	       "  -h, --help           this help\n");
}

enum { OPT_MODE = 256, OPT_SIZE, OPT_MULTI, OPT_ZEROES, OPT_CGROUP, OPT_AGG, OPT_TOP,
       OPT_MAX_KEYS, OPT_STACK, OPT_USTACK, OPT_FOLLOW, OPT_LATENCY, OPT_LATENCY_END, OPT_USER };

/* The traced command's exit code, as a shell gives it. */
static int cmd_exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

int cmd_trace(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "json", no_argument, NULL, 'J' },
		{ "count", required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, 'd' },
		{ "size", required_argument, NULL, OPT_SIZE },
		{ "multiline", no_argument, NULL, OPT_MULTI },
		{ "zeroes", no_argument, NULL, OPT_ZEROES },
		{ "cgroup", required_argument, NULL, OPT_CGROUP },
		{ "agg", required_argument, NULL, OPT_AGG },
		{ "top", required_argument, NULL, OPT_TOP },
		{ "interval", required_argument, NULL, 'i' },
		{ "max-keys", required_argument, NULL, OPT_MAX_KEYS },
		{ "stack", no_argument, NULL, OPT_STACK },
		{ "ustack", no_argument, NULL, OPT_USTACK },
		{ "follow", no_argument, NULL, OPT_FOLLOW },
		{ "latency", no_argument, NULL, OPT_LATENCY },
		{ "latency-end", required_argument, NULL, OPT_LATENCY_END },
		{ "user", required_argument, NULL, OPT_USER },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct bpfdump_trace_opts to = { .sz = sizeof(to), .stop = &stop, .out = stdout };
	struct bpfdump *d;
	int opt, err, v, i, status = -1;
	char *end;

	/* SPEC... -- CMD [ARG...]: options and SPECs end at the first '--' */
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			to.cmd = (const char *const *)&argv[i + 1];
			to.cmd_status = &status;
			argc = i;
			break;
		}
	}
	while ((opt = getopt_long(argc, argv, "p:Jc:d:i:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			if ((err = parse_pos_int("trace", "--pid", optarg, &to.pid)))
				return err;
			break;
		case OPT_MODE:
			if (!strcmp(optarg, "fentry") || !strcmp(optarg, "fexit"))
				to.mode = BPFDUMP_TRACE_FENTRY;
			else if (!strcmp(optarg, "kprobe") || !strcmp(optarg, "kretprobe"))
				to.mode = BPFDUMP_TRACE_KPROBE;
			else if (!strcmp(optarg, "tp_btf"))
				to.mode = BPFDUMP_TRACE_TP_BTF;
			else if (!strcmp(optarg, "raw_tp"))
				to.mode = BPFDUMP_TRACE_RAW_TP;
			else if (!strcmp(optarg, "tracepoint"))
				to.mode = BPFDUMP_TRACE_TRACEPOINT;
			else
				return usage_err("trace", "--mode: '%s' is not fentry, kprobe, tp_btf, "
						 "raw_tp or tracepoint", optarg);
			break;
		case OPT_CGROUP:
			to.cgroup = optarg;
			break;
		case 'J':
			to.json = true;
			break;
		case 'c':
			if ((err = parse_pos_int("trace", "--count", optarg, &v)))
				return err;
			to.count = v;
			break;
		case 'd':
			errno = 0;
			to.duration = strtod(optarg, &end);
			if (errno || *end || to.duration <= 0)
				return usage_err("trace", "--duration: '%s' is not a positive number of "
						 "seconds", optarg);
			break;
		case OPT_SIZE:
			if ((err = parse_pos_int("trace", "--size", optarg, &v)))
				return err;
			if (v > 4096)
				return usage_err("trace", "--size: at most 4096 bytes");
			to.struct_size = v;
			break;
		case OPT_MULTI:
			to.multiline = true;
			break;
		case OPT_AGG:
			to.agg = optarg;
			break;
		case OPT_TOP:
			if ((err = parse_pos_int("trace", "--top", optarg, &to.top)))
				return err;
			break;
		case OPT_MAX_KEYS:
			if ((err = parse_pos_int("trace", "--max-keys", optarg, &v)))
				return err;
			to.max_keys = v;
			break;
		case 'i':
			errno = 0;
			to.interval = strtod(optarg, &end);
			if (errno || *end || to.interval <= 0)
				return usage_err("trace", "--interval: '%s' is not a positive number "
						 "of seconds", optarg);
			break;
		case OPT_ZEROES:
			to.zeroes = true;
			break;
		case OPT_STACK:
			to.stack = true;
			break;
		case OPT_USTACK:
			to.ustack = true;
			break;
		case OPT_FOLLOW:
			to.follow = true;
			break;
		case OPT_LATENCY:
			to.latency = true;
			break;
		case OPT_LATENCY_END:
			to.latency_end = optarg;
			break;
		case OPT_USER:
			to.cmd_user = optarg;
			break;
		case 'h':
			help_trace();
			return 0;
		default:
			return bad_option("trace", argv);
		}
	}
	if (optind >= argc)
		return usage_err("trace", "needs a FUNC or tp:GROUP:NAME%s",
				 to.cmd ? " before '--'" : "");
	if (to.cmd && !to.cmd[0])
		return usage_err("trace", "'--' without a command: SPEC... -- CMD [ARG...]");
	if (to.cmd && to.pid)
		return usage_err("trace", "-p and '-- CMD' exclude each other");
	if (to.follow && !to.pid)
		return usage_err("trace", "--follow applies to -p PID");
	if (to.cmd_user && !to.cmd)
		return usage_err("trace", "--user applies to '-- CMD'");
	if ((to.top || to.interval) && !to.agg)
		return usage_err("trace", "%s applies to --agg", to.top ? "--top" : "--interval");
	to.specs = (const char *const *)&argv[optind];
	to.spec_cnt = argc - optind;
	if (cli_need_root("trace"))
		return 1;
	d = cli_open();
	if (!d)
		return 1;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	err = 0;
	if (bpfdump__trace(d, &to))
		err = run_err("%s", bpfdump__errmsg(d));
	bpfdump__free(d);
	/* a command that was not found or not executable: 127 or 126, as a shell */
	if (to.cmd && status >= 0 && (!err || (WIFEXITED(status) && WEXITSTATUS(status) >= 126)))
		err = cmd_exit_code(status);
	return err;
}
