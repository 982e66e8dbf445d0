// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* bpfdump pin TARGET|PROG.bpf.o PATH: a dumper in bpffs that plain cat reads. */
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dump_opts.h"
#include "cmd_run.h"

void help_pin(void)
{
	printf("Usage: bpfdump pin TARGET PATH [-o FIELDS] [-w EXPR] [--pid N|--tid N]\n"
	       "                  [--cgroup PATH [--order ORDER]] [--map NAME|ID]\n"
	       "                  [--netns FILE] [--pidns FILE] [--target-pid N | --container N]\n"
	       "                  [--mode MODE] [--owner USER] [--group GROUP] [--force]\n"
	       "       bpfdump pin PROG.bpf.o PATH [--prog NAME]\n"
	       "                  [--pid N|--tid N|--cgroup PATH|--map NAME|ID]\n"
	       "                  [--mode MODE] [--owner USER] [--group GROUP] [--force]\n\n"
	       "Pin a dumper in bpffs (default place /sys/fs/bpf/bpfdump/TARGET/NAME): `cat PATH`\n"
	       "prints its rows, formatted by the kernel; `bpfdump cat PATH` formats them in\n"
	       "user space. With a .bpf.o, pin the object's iterator program instead.\n\n"
	       "Options:\n"
	       "  -o, --output FIELDS  columns, as for dump\n"
	       "  -w, --where EXPR     predicate, as for dump\n"
	       "      --pid N, --tid N, --cgroup PATH, --order ORDER, --map NAME|ID\n"
	       "                       iterator parameters, as for dump\n"
	       "      --netns FILE, --pidns FILE, --target-pid N, --container N\n"
	       "                       a container's scope, as for dump: kept as a predicate on\n"
	       "                       the namespace's inode (and the cgroup's id); a --netns\n"
	       "                       dumper lists sockets only for readers in that namespace\n"
	       "                       (`nsenter --net=FILE cat PATH`, or `bpfdump cat`, which\n"
	       "                       enters it)\n"
	       "      --mode MODE      file mode of the pin, octal (e.g. 0444 for all readers)\n"
	       "      --owner USER     owner of the pin\n"
	       "      --group GROUP    group of the pin\n"
	       "      --force          replace an existing pin\n"
	       "      --prog NAME      the object's iterator program to pin (needed when it\n"
	       "                       has several)\n"
	       "  -h, --help           this help\n");
}

static int lookup_ids(const struct dump_args *a, struct bpfdump_pin_opts *po)
{
	if (a->owner) {
		struct passwd *pw = getpwnam(a->owner);
		char *end;
		long v = strtol(a->owner, &end, 10);

		if (pw)
			po->uid = pw->pw_uid;
		else if (!*end && v >= 0)
			po->uid = v;
		else
			return usage_err("pin", "--owner: no user '%s'", a->owner);
	}
	if (a->group) {
		struct group *gr = getgrnam(a->group);
		char *end;
		long v = strtol(a->group, &end, 10);

		if (gr)
			po->gid = gr->gr_gid;
		else if (!*end && v >= 0)
			po->gid = v;
		else
			return usage_err("pin", "--group: no group '%s'", a->group);
	}
	return 0;
}

int cmd_pin(int argc, char **argv)
{
	struct bpfdump_pin_opts po = { .sz = sizeof(po) };
	struct user_prog_opts uo = {};
	struct dump_args a;
	struct bpfdump *d;
	struct bpfdump_query *q;
	int err;

	err = user_prog_take_prog("pin", &argc, argv, &uo.prog);
	if (err >= 0)
		return err;
	err = dump_args_parse("pin", argc, argv, &a, help_pin);
	if (err >= 0)
		return err;
	err = lookup_ids(&a, &po);
	if (err)
		return err;
	po.mode = a.mode;
	po.force = a.force;
	if (cli_need_root("pin"))
		return 1;
	if (is_bpf_object(a.positional[0])) {
		if (a.q.columns || a.q.where)
			return usage_err("pin", "-o/-w apply to targets, not to a .bpf.o");
		return user_prog_run(a.positional[0], &a.q, a.positional[1], &po, &uo);
	}
	if (uo.prog)
		return usage_err("pin", "--prog applies to a .bpf.o, not to a target");
	err = dump_args_open("pin", &a, &d, &q);
	if (err >= 0)
		return err;
	err = 0;
	if (bpfdump_query__pin(q, a.positional[1], &po))
		err = run_err("%s", bpfdump__errmsg(d));
	else if (env.verbose)
		fprintf(stderr, "bpfdump: pinned %s\n", a.positional[1]);
	bpfdump_query__free(q);
	bpfdump__free(d);
	return err;
}
