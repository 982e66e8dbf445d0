/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Row printers shared by dump, cat and the views. */
#ifndef BPFDUMP_OUTPUT_H
#define BPFDUMP_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "bpfdump.h"

struct bd_printer;

/* names, headers and right stay owned by the caller and must outlive the printer. */
struct bd_printer *bd_printer__new(FILE *out, int ncols, const char **names,
				   const char **headers, const bool *right,
				   const struct bpfdump_print_opts *opts);
/* One row of ncols cells (not NUL-terminated: lens), numeric[i] for JSON numbers. */
int bd_printer__row(struct bd_printer *pr, char *const *cells, const size_t *lens,
		    const bool *numeric);
int bd_printer__finish(struct bd_printer *pr);
void bd_printer__free(struct bd_printer *pr);

/* A JSON string literal: escapes control bytes and invalid UTF-8. */
void bd_json_str(FILE *f, const char *s, size_t n);
struct bd_strbuf;
/* The same, appended to b. */
void bd_json_sb(struct bd_strbuf *b, const char *s, size_t n);

#endif
