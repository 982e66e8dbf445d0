// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* bpfdump run PROG.bpf.o: a user's own iterator, loaded, attached and read once. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "dump_opts.h"
#include "user_prog.h"

void help_run(void)
{
	printf("Usage: bpfdump run PROG.bpf.o [--pid N|--tid N] [--cgroup PATH [--order ORDER]]\n"
	       "                   [--map NAME|ID]\n\n"
	       "Load a BPF object, attach its iterator program (SEC(\"iter/TARGET\")) with the\n"
	       "given parameters, and copy what it writes to standard output.\n\n"
	       "Options:\n"
	       "      --pid N, --tid N, --cgroup PATH, --order ORDER, --map NAME|ID\n"
	       "                  iterator parameters, as for dump\n"
	       "  -h, --help      this help\n");
}

bool is_bpf_object(const char *arg)
{
	unsigned char magic[4];
	int fd = open(arg, O_RDONLY | O_CLOEXEC);
	bool elf;

	if (fd < 0)
		return strstr(arg, ".o") != NULL;	/* let the loader say what is wrong */
	elf = read(fd, magic, 4) == 4 && !memcmp(magic, "\x7f" "ELF", 4);
	close(fd);
	return elf || strchr(arg, '/') || strstr(arg, ".o");
}

int user_prog_run(const char *obj, const struct bpfdump_query_opts *params,
		  const char *pin_path, const struct bpfdump_pin_opts *pin)
{
	struct bpfdump_object_opts oo = { .sz = sizeof(oo), .params = params,
					  .pin_path = pin_path, .pin = pin,
					  .out_fd = STDOUT_FILENO };
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

int cmd_run(int argc, char **argv)
{
	struct dump_args a;
	int err;

	err = dump_args_parse("run", argc, argv, &a, help_run);
	if (err >= 0)
		return err;
	if (a.q.columns || a.q.where || a.print.format || a.print.raw || a.print.noheadings)
		return usage_err("run", "-o, -w, -J, -r and -n apply to targets, not to a .bpf.o");
	if (cli_need_root("run"))
		return 1;
	return user_prog_run(a.positional[0], &a.q, NULL, NULL);
}
