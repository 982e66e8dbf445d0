// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * List processes with their pid and command name as typed values, through
 * libbpfdump's row API: no text to parse back. Run as root:
 *
 *	cc rows.c $(pkg-config --cflags --libs bpfdump) -o rows && sudo ./rows
 *
 * prints "PID COMM" per process (its main thread), as /proc/PID/comm has it.
 */
#include <stdio.h>
#include <string.h>
#include <bpfdump.h>

static int print_row(void *ctx, const struct bpfdump_cell *cells, int cnt)
{
	long *count = ctx;

	/* columns as the query below names them: pid, tid, comm */
	if (cnt != 3 || cells[0].kind != BPFDUMP_CELL_INT || cells[2].kind != BPFDUMP_CELL_STR)
		return -22;	/* -EINVAL: not the columns asked for */
	if (cells[0].v.i != cells[1].v.i)
		return 0;	/* a thread other than the main one */
	printf("%lld %.*s\n", cells[0].v.i, (int)cells[2].v.str.len, cells[2].v.str.s);
	(*count)++;
	return 0;
}

int main(void)
{
	BPFDUMP_OPTS(bpfdump_query_opts, qo, .target = "task",
		     .columns = "pid=task->tgid,tid=task->pid,comm=task->comm");
	/* the values are what this program uses: no decimal text of the numbers */
	BPFDUMP_OPTS(bpfdump_rows_opts, ro, .no_number_text = true);
	struct bpfdump_query *q;
	struct bpfdump *d;
	long rows, count = 0;

	d = bpfdump__new(NULL);
	if (!d) {
		perror("bpfdump__new");
		return 1;
	}
	q = bpfdump_query__new(d, &qo);
	if (!q) {
		fprintf(stderr, "rows: %s\n", bpfdump__errmsg(d));
		bpfdump__free(d);
		return 1;
	}
	rows = bpfdump_query__rows(q, print_row, &count, &ro);
	if (rows < 0)
		fprintf(stderr, "rows: %s\n", bpfdump__errmsg(d)[0] ? bpfdump__errmsg(d)
								 : strerror(-rows));
	else
		fprintf(stderr, "rows: %ld threads, %ld processes\n", rows, count);
	bpfdump_query__free(q);
	bpfdump__free(d);
	return rows < 0;
}
