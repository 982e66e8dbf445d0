// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* bpfdump snapshot PID: one process's kernel state, read in one BPF pass. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfdump_snapshot.h"
#include "cli.h"

void help_snapshot(void)
{
	printf("Usage: bpfdump snapshot [-J] [-o SECTIONS] [--all-threads] [--ring-size BYTES]\n"
	       "                        [--data [--data-max BYTES] [--data-dir DIR]]\n"
	       "                        [--pidns FILE]\n"
	       "                        [--keep | --fresh] PID [PID...]\n"
	       "       bpfdump snapshot --keep [-o SECTIONS] [--all-threads]\n"
	       "       bpfdump snapshot --drop\n\n"
	       "Read what the kernel holds about process PID in one pass of one BPF program:\n"
	       "task and threads, credentials, memory (mm totals and every mapping), open files,\n"
	       "sockets, cgroup, namespaces and resource limits. Sections the kernel does not\n"
	       "have for the task (a kernel thread's memory, a zombie's files) are named as absent.\n"
	       "Several PIDs share one loaded program: reports one after another (JSON: one\n"
	       "document per line); a PID that fails is named on stderr and the rest go on.\n"
	       "A program kept loaded (--keep) is used by later snapshots with the same -o and\n"
	       "--all-threads: no load or verification, its ring buffer already warm.\n\n"
	       "Options:\n"
	       "  -J, --json             one JSON document\n"
	       "  -o, --output SECTIONS  only these, comma-separated: task, creds, memory, files,\n"
	       "                         sockets, cgroups, namespaces, limits\n"
	       "      --all-threads      also every thread's own task and creds\n"
	       "      --ring-size BYTES  ring buffer size, a power of 2 (default: sized from the\n"
	       "                         process's mappings, fds and threads)\n"
	       "      --data             also the data queued in sockets (receive queues, TCP send\n"
	       "                         queues) and pipes: each buffer, datagrams with their\n"
	       "                         source; root only\n"
	       "      --data-max BYTES   at most this many bytes per queue (default 65536)\n"
	       "      --data-dir DIR     the bytes in files of DIR, one per queue (PID.FD.QUEUE,\n"
	       "                         made anew, mode 0600), not in the output; implies --data\n"
	       "      --pidns FILE       PID is a number of this pid namespace (/proc/N/ns/pid)\n"
	       "      --keep             keep the program loaded, pinned under\n"
	       "                         /sys/fs/bpf/bpfdump/@snapshot/ (root only), for later runs\n"
	       "      --fresh            load a program of its own even when one is kept\n"
	       "      --drop             remove the kept programs\n"
	       "  -h, --help             this help\n");
}

enum { OPT_ALL_THREADS = 256, OPT_RING, OPT_PIDNS, OPT_KEEP, OPT_FRESH, OPT_DROP, OPT_DATA,
       OPT_DATA_MAX, OPT_DATA_DIR };

/* --drop, or --keep without a PID */
static int keep_or_drop(struct bpfdump_snapshot_opts *so, const char *sections, bool drop)
{
	struct bpfdump *d = cli_open_lazy();
	int err = 0, n;

	if (!d)
		return 1;
	if (sections && bpfdump__snapshot_sections(d, sections, &so->sections)) {
		err = usage_err("snapshot", "-o: %s", bpfdump__errmsg(d));
		goto out;
	}
	if (cli_need_root("snapshot")) {
		err = 1;
		goto out;
	}
	if (drop) {
		n = bpfdump__snapshot_drop(d);
		if (n < 0)
			err = run_err("%s", bpfdump__errmsg(d));
		else
			printf("%d kept snapshot program%s removed\n", n, n == 1 ? "" : "s");
	} else if (bpfdump__snapshot_keep(d, so)) {
		err = run_err("%s", bpfdump__errmsg(d));
	}
out:
	bpfdump__free(d);
	return err;
}

int cmd_snapshot(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "output", required_argument, NULL, 'o' },
		{ "all-threads", no_argument, NULL, OPT_ALL_THREADS },
		{ "ring-size", required_argument, NULL, OPT_RING },
		{ "pidns", required_argument, NULL, OPT_PIDNS },
		{ "keep", no_argument, NULL, OPT_KEEP },
		{ "fresh", no_argument, NULL, OPT_FRESH },
		{ "drop", no_argument, NULL, OPT_DROP },
		{ "data", no_argument, NULL, OPT_DATA },
		{ "data-max", required_argument, NULL, OPT_DATA_MAX },
		{ "data-dir", required_argument, NULL, OPT_DATA_DIR },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct bpfdump_snapshot_opts so = { .sz = sizeof(so), .json = env.json };
	const char *sections = NULL, *pidns = NULL;
	struct bpfdump *d;
	int opt, err, v, i, cnt;
	bool drop = false, data = false;
	int *pids, data_max = 0;

	while ((opt = getopt_long(argc, argv, "Jo:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'J':
			so.json = true;
			break;
		case 'o':
			sections = optarg;
			break;
		case OPT_ALL_THREADS:
			so.all_threads = true;
			break;
		case OPT_RING:
			if ((err = parse_pos_int("snapshot", "--ring-size", optarg, &v)))
				return err;
			if (v < 4096 || (v & (v - 1)))
				return usage_err("snapshot", "--ring-size: '%s' is not a power of 2 "
						 "of at least 4096", optarg);
			so.ring_size = v;
			break;
		case OPT_PIDNS:
			pidns = optarg;
			break;
		case OPT_KEEP:
		case OPT_FRESH:
			v = opt == OPT_KEEP ? BPFDUMP_SNAP_KEEP : BPFDUMP_SNAP_FRESH;
			if (so.keep && (int)so.keep != v)
				return usage_err("snapshot", "--keep and --fresh: give one");
			so.keep = v;
			break;
		case OPT_DROP:
			drop = true;
			break;
		case OPT_DATA:
			data = true;
			break;
		case OPT_DATA_MAX:
			if ((err = parse_pos_int("snapshot", "--data-max", optarg, &data_max)))
				return err;
			break;
		case OPT_DATA_DIR:
			so.data_dir = optarg;
			data = true;
			break;
		case 'h':
			help_snapshot();
			return 0;
		default:
			return bad_option("snapshot", argv);
		}
	}
	if (data_max && !data)
		return usage_err("snapshot", "--data-max: needs --data");
	if (data)
		so.data_max = data_max ? data_max : 65536;
	if (drop && (so.keep || optind < argc || sections || so.all_threads || data))
		return usage_err("snapshot", "--drop takes nothing else");
	if (drop || (so.keep == BPFDUMP_SNAP_KEEP && optind >= argc))
		return keep_or_drop(&so, sections, drop);
	if (optind >= argc)
		return usage_err("snapshot", "needs a PID");
	cnt = argc - optind;
	pids = calloc(cnt, sizeof(*pids));
	if (!pids)
		return run_err("snapshot: out of memory");
	for (i = 0; i < cnt; i++) {
		if ((err = parse_pos_int("snapshot", "PID", argv[optind + i], &pids[i]))) {
			free(pids);
			return err;
		}
	}
	d = cli_open_lazy();
	if (!d) {
		free(pids);
		return 1;
	}
	if (sections && bpfdump__snapshot_sections(d, sections, &so.sections)) {
		err = usage_err("snapshot", "-o: %s", bpfdump__errmsg(d));
		goto out;
	}
	if (data && geteuid() != 0) {
		err = run_err("snapshot --data: needs root (it copies what other processes' "
			      "sockets hold)");
		goto out;
	}
	if (cli_need_root("snapshot")) {
		err = 1;
		goto out;
	}
	for (i = 0; pidns && i < cnt; i++) {
		/* PID is the namespace's number for it */
		pids[i] = bpfdump__pidns_pid(d, pidns, pids[i]);
		if (pids[i] < 0) {
			err = run_err("%s", bpfdump__errmsg(d));
			goto out;
		}
	}
	if (cnt == 1)
		err = bpfdump__snapshot(d, pids[0], &so, stdout);
	else
		err = bpfdump__snapshot_many(d, pids, cnt, &so, stdout);
	if (err < 0)
		err = run_err("%s", bpfdump__errmsg(d));
	else if (err > 0)
		err = 1;	/* partial: the warnings said what is missing */
	fflush(stdout);
out:
	free(pids);
	bpfdump__free(d);
	return err;
}
