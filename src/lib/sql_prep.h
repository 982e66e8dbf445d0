/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Prepared SQL statements (sql.c), for serve, metrics and --interval. */
#ifndef BPFDUMP_SQL_PREP_H
#define BPFDUMP_SQL_PREP_H

#include <stdbool.h>
#include <stdio.h>

#include "bpfdump.h"

/*
 * A prepared statement: its SQLite database, the statement and the programs its
 * runs loaded, kept until bd_sql_prep_free(). A run reads the kernel afresh
 * (nothing of a previous run's rows is kept) but loads nothing it loaded before.
 * Not thread-safe: callers serialize runs of statements sharing one bpfdump.
 */
struct bd_sql_prep;

/* One result row: cnt columns; names[i], texts[i] (NULL for SQL NULL), nums[i]
 * (the value when numeric[i]). Return non-zero to stop with that value. */
typedef int (*bd_sql_row_fn)(void *ctx, int cnt, const char *const *names,
			     const char *const *texts, const double *nums, const bool *numeric);

/* pushdown false: every constraint is SQLite's (--no-pushdown). NULL with errno and
 * d's message set. */
struct bd_sql_prep *bd_sql_prep_new(struct bpfdump *d, const char *text, bool pushdown);
/* Column count and names of the statement (valid until freed). */
int bd_sql_prep_column_cnt(const struct bd_sql_prep *p);
const char *bd_sql_prep_column_name(const struct bd_sql_prep *p, int idx);
/* Run once: rows to fn; timeout_ms > 0 interrupts SQLite's work past it (-ETIME).
 * Returns the row count or -errno with d's message set. */
long bd_sql_prep_run(struct bd_sql_prep *p, long timeout_ms, bd_sql_row_fn fn, void *ctx);
/* Run once, rows printed as bpfdump sql prints them. Rows or -errno. */
long bd_sql_prep_print(struct bd_sql_prep *p, FILE *out, const struct bpfdump_print_opts *po);
void bd_sql_prep_free(struct bd_sql_prep *p);

#endif
