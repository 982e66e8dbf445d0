// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* bpfdump run PROG.bpf.o: a user's own iterator, loaded, attached and read once. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "dump_opts.h"
#include "user_prog.h"

void help_run(void)
{
	printf("Usage: bpfdump run PROG.bpf.o [--pid N|--tid N] [--cgroup PATH [--order ORDER]]\n"
	       "                   [--map NAME|ID] [--pin-maps DIR]\n\n"
	       "Load a BPF object, attach its iterator program (SEC(\"iter/TARGET\")) with the\n"
	       "given parameters, and copy what it writes to standard output. Its maps are its\n"
	       "own: none is pinned, and none pinned by anyone is reused.\n\n"
	       "Options:\n"
	       "      --pid N, --tid N, --cgroup PATH, --order ORDER, --map NAME|ID\n"
	       "                  iterator parameters, as for dump\n"
	       "      --pin-maps DIR\n"
	       "                  pin the maps declared LIBBPF_PIN_BY_NAME as DIR/NAME (a\n"
	       "                  directory in bpffs), reusing a map pinned there already\n"
	       "  -h, --help      this help\n");
}

/* A user's object is named by a path: a '/' in it or a name ending in ".o". A
 * bare word is a target, whatever the current directory holds: a root tool
 * must not load a file because its name matches a target's. */
bool is_bpf_object(const char *arg)
{
	size_t len = strlen(arg);

	return strchr(arg, '/') || (len > 2 && !strcmp(arg + len - 2, ".o"));
}

int user_prog_take_pin_maps(const char *cmd, int *argc, char **argv, const char **dir)
{
	int i = 1, j, take;

	*dir = NULL;
	while (i < *argc && strcmp(argv[i], "--")) {
		if (!strcmp(argv[i], "--pin-maps"))
			take = 2;
		else if (!strncmp(argv[i], "--pin-maps=", 11))
			take = 1;
		else {
			i++;
			continue;
		}
		if (*dir)
			return usage_err(cmd, "give one --pin-maps");
		if (take == 2 && i + 1 >= *argc)
			return usage_err(cmd, "--pin-maps needs a DIR (a directory in bpffs)");
		*dir = take == 2 ? argv[i + 1] : argv[i] + 11;
		if (!**dir)
			return usage_err(cmd, "--pin-maps needs a DIR (a directory in bpffs)");
		for (j = i; j + take <= *argc; j++)
			argv[j] = argv[j + take];
		*argc -= take;
	}
	return -1;
}

int user_prog_run_maps(const char *obj, const struct bpfdump_query_opts *params,
		       const char *pin_path, const struct bpfdump_pin_opts *pin,
		       const char *pin_maps)
{
	struct bpfdump_object_opts oo = { .sz = sizeof(oo), .params = params,
					  .pin_path = pin_path, .pin = pin,
					  .out_fd = STDOUT_FILENO, .pin_maps = pin_maps };
	struct bpfdump *d = cli_open();
	int err = 0;

	if (!d)
		return 1;
	fflush(stdout);
	if (bpfdump__run_object(d, obj, &oo))
		err = run_err("%s", bpfdump__errmsg(d));
	bpfdump__free(d);
	return err;
}

int user_prog_run(const char *obj, const struct bpfdump_query_opts *params,
		  const char *pin_path, const struct bpfdump_pin_opts *pin)
{
	return user_prog_run_maps(obj, params, pin_path, pin, NULL);
}

int cmd_run(int argc, char **argv)
{
	const char *pin_maps;
	struct dump_args a;
	int err;

	err = user_prog_take_pin_maps("run", &argc, argv, &pin_maps);
	if (err >= 0)
		return err;
	err = dump_args_parse("run", argc, argv, &a, help_run);
	if (err >= 0)
		return err;
	if (a.q.columns || a.q.where || a.print.format || a.print.raw || a.print.noheadings)
		return usage_err("run", "-o, -w, -J, -r and -n apply to targets, not to a .bpf.o");
	if (!is_bpf_object(a.positional[0]))
		return usage_err("run", "'%s' is a target name, not a file: run wants a BPF object "
				 "path (./%s, or a name ending in .o); a target is read with "
				 "'bpfdump dump %s'", a.positional[0], a.positional[0],
				 a.positional[0]);
	if (cli_need_root("run"))
		return 1;
	return user_prog_run_maps(a.positional[0], &a.q, NULL, NULL, pin_maps);
}
