// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* bpfdump run PROG.bpf.o: a user's own iterator, loaded, attached and read once. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "dump_opts.h"
#include "cmd_run.h"

void help_run(void)
{
	printf("Usage: bpfdump run PROG.bpf.o [--prog NAME] [--pid N|--tid N]\n"
	       "                   [--cgroup PATH [--order ORDER]] [--map NAME|ID] [--pin-maps DIR]\n\n"
	       "Load a BPF object, attach its iterator program (SEC(\"iter/TARGET\")) with the\n"
	       "given parameters, and copy what it writes to standard output. Its maps are its\n"
	       "own: none is pinned, and none pinned by anyone is reused.\n\n"
	       "Options:\n"
	       "      --prog NAME\n"
	       "                  the iterator program to run (needed when the object has\n"
	       "                  several)\n"
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

/* Take "--NAME VALUE" or "--NAME=VALUE" out of argv (before "--") into *val; what
 * names VALUE in messages. Returns -1 to go on, else a usage error's exit code. */
static int take_opt(const char *cmd, int *argc, char **argv, const char *name,
		    const char *what, const char **val)
{
	size_t nl = strlen(name);
	int i = 1, j, take;

	*val = NULL;
	while (i < *argc && strcmp(argv[i], "--")) {
		if (!strcmp(argv[i], name))
			take = 2;
		else if (!strncmp(argv[i], name, nl) && argv[i][nl] == '=')
			take = 1;
		else {
			i++;
			continue;
		}
		if (*val)
			return usage_err(cmd, "give one %s", name);
		if (take == 2 && i + 1 >= *argc)
			return usage_err(cmd, "%s needs %s", name, what);
		*val = take == 2 ? argv[i + 1] : argv[i] + nl + 1;
		if (!**val)
			return usage_err(cmd, "%s needs %s", name, what);
		for (j = i; j + take <= *argc; j++)
			argv[j] = argv[j + take];
		*argc -= take;
	}
	return -1;
}

int user_prog_take_pin_maps(const char *cmd, int *argc, char **argv, const char **dir)
{
	return take_opt(cmd, argc, argv, "--pin-maps", "a DIR (a directory in bpffs)", dir);
}

int user_prog_take_prog(const char *cmd, int *argc, char **argv, const char **prog)
{
	return take_opt(cmd, argc, argv, "--prog", "a NAME (an iterator program of the "
			"object)", prog);
}

int user_prog_run(const char *obj, const struct bpfdump_query_opts *params,
		  const char *pin_path, const struct bpfdump_pin_opts *pin,
		  const struct user_prog_opts *uo)
{
	struct bpfdump_object_opts oo = { .sz = sizeof(oo), .params = params,
					  .pin_path = pin_path, .pin = pin,
					  .out_fd = STDOUT_FILENO };
	struct bpfdump *d;
	int err = 0;

	/* a closed stdout: said before anything opens a file that would take fd 1 */
	if (!pin_path && fcntl(STDOUT_FILENO, F_GETFL) < 0)
		return run_err("write error: %s", strerror(errno));
	d = cli_open();
	if (!d)
		return 1;
	if (uo) {
		oo.pin_maps = uo->pin_maps;
		oo.prog = uo->prog;
	}
	fflush(stdout);
	if (bpfdump__run_object(d, obj, &oo))
		err = run_err("%s", bpfdump__errmsg(d));
	else if (pin_path && env.verbose)
		fprintf(stderr, "bpfdump: pinned %s\n", pin_path);
	bpfdump__free(d);
	return err;
}

int cmd_run(int argc, char **argv)
{
	struct user_prog_opts uo;
	struct dump_args a;
	int err;

	err = user_prog_take_pin_maps("run", &argc, argv, &uo.pin_maps);
	if (err >= 0)
		return err;
	err = user_prog_take_prog("run", &argc, argv, &uo.prog);
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
	return user_prog_run(a.positional[0], &a.q, NULL, NULL, &uo);
}
