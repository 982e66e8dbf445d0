/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Typed rows: a record's columns decoded into struct bpfdump_cell values. */
#ifndef BPFDUMP_ROWS_H
#define BPFDUMP_ROWS_H

#include <stdbool.h>
#include <linux/types.h>

#include "bpfdump.h"

struct bpfdump_query;
struct bd_rows;

/* The row callback asked to stop: not an error (a positive value, never an errno). */
#define BD_ROWS_STOP 1

/* A decoder for q's records; hide_kaddr: kernel addresses as zeros (output.h);
 * !number_text: integer cells read straight from the record get no text.
 * NULL with errno set on failure. */
struct bd_rows *bd_rows_new(struct bpfdump_query *q, bool hide_kaddr, bool number_text);
void bd_rows_free(struct bd_rows *r);
/* Decode one record: *cells (one per column) stay valid until the next call.
 * 0, or -errno (-EINVAL: a malformed record). */
int bd_rows_decode(struct bd_rows *r, const __u8 *rec, __u32 len,
		   const struct bpfdump_cell **cells);

#endif
