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
/* s as a table cell shows it: control bytes as \xNN; the text in b (or s itself) */
const char *bd_text_escape(struct bd_strbuf *b, const char *s, size_t n);
/* The same, appended to b. */
void bd_json_sb(struct bd_strbuf *b, const char *s, size_t n);

/* Column names made unique as columns are added: a duplicate NAME becomes the first
 * free NAME_2, NAME_3, ... Sized for at most cnt names. */
struct bd_name_set;
struct bd_name_set *bd_name_set__new(int cnt);
/* *name (malloc'd) is kept or replaced by a free one; the set borrows it. */
int bd_name_set__add(struct bd_name_set *ns, char **name);
void bd_name_set__free(struct bd_name_set *ns);

/*
 * Kernel addresses, shown only to a reader /proc/kallsyms shows them to (the
 * kernel's kallsyms_show_value()): kptr_restrict 0 and perf_event_paranoid <= 1,
 * or kptr_restrict <= 1 and CAP_SYSLOG in the reader's effective set. Anything
 * unreadable counts as hidden.
 */
struct bd_kaddr_sysctl {
	int kptr_restrict;
	int perf_event_paranoid;
};
/* The two sysctls; unreadable ones as their most restrictive values. */
void bd_kaddr_sysctl_read(struct bd_kaddr_sysctl *s);
/* kallsyms_show_value() for a reader with or without CAP_SYSLOG (pure). */
bool bd_kaddr_shown(const struct bd_kaddr_sysctl *s, bool cap_syslog);
/* For the reader process pid (uid for its /proc entry's check): its CapEff read from
 * /proc/PID/status. uid 0 alone is not enough: root without CAP_SYSLOG is hidden from. */
bool bd_kaddr_visible(int pid, unsigned int uid);
/* Set po's kaddrs for that reader (the view's FUSE requests). */
void bd_print_opts_set_reader(struct bpfdump_print_opts *po, int pid, unsigned int uid);

struct bd_column;
/* Whether column c may print a kernel address (pointer-typed values, hex() of 8-byte
 * unsigned values) and, for rec, whether it does; then out becomes zeros of the
 * address's width ("0x0000000000000000"), as /proc/kallsyms hides them. */
bool bd_column_may_be_kaddr(const struct bd_column *c);
bool bd_is_kaddr_value(unsigned long long v);
void bd_format_hide_kaddr(const struct bd_column *c, const unsigned char *rec,
			  unsigned int rec_len, struct bd_strbuf *out);
/* Decide po's kaddrs (BPFDUMP_KADDR_AUTO: for this process) into hide or show. */
bool bd_print_hides_kaddr(const struct bpfdump_print_opts *po);

#endif
