/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Kernel symbols from /proc/kallsyms, read once: addresses to 'func+0x1a [module]'. */
#ifndef BPFDUMP_KSYMS_H
#define BPFDUMP_KSYMS_H

#include <stdbool.h>
#include <linux/types.h>

#include "internal.h"

struct bd_ksyms;

/* The text symbols of /proc/kallsyms, sorted by address; NULL with errno set. */
struct bd_ksyms *bd_ksyms__load(void);
/* The same from a file in kallsyms' format (tests). */
struct bd_ksyms *bd_ksyms__load_file(const char *path);
void bd_ksyms__free(struct bd_ksyms *ks);
/* kallsyms listed symbols but every address as 0 (kernel.kptr_restrict, or no
 * CAP_SYSLOG): addresses are hidden from this user and must not be printed. */
bool bd_ksyms__hidden(const struct bd_ksyms *ks);
/* Symbols with an address. */
size_t bd_ksyms__count(const struct bd_ksyms *ks);
/* The symbol at or below addr (at most BD_KSYMS_MAX_OFF below), or NULL; *off the
 * distance, *module "" for vmlinux, else the module's name ("bpf" for programs). */
const char *bd_ksyms__find(const struct bd_ksyms *ks, __u64 addr, __u64 *off,
			   const char **module);
#define BD_KSYMS_MAX_OFF (1ULL << 20)	/* beyond: no function is that large */

/*
 * A stack of n return addresses (a 0 ends it early) as text: one frame a line,
 * each after indent, 'func+0x1a [module]' as bpftrace's kstack and retsnoop print
 * them (0x... for an address no symbol covers), or a JSON array of such strings.
 * Frames of BPF programs on top of the stack are the tracer's own: left out.
 * Hidden addresses (bd_ksyms__hidden, or ks NULL) print as one line
 * BD_KSYMS_HIDDEN_TEXT, JSON null: never the addresses themselves.
 */
void bd_stack_format(const struct bd_ksyms *ks, const __u64 *ips, int n, const char *indent,
		     bool json, struct bd_strbuf *out);
#define BD_KSYMS_HIDDEN_TEXT "(addresses hidden: /proc/kallsyms shows zeros, kernel.kptr_restrict)"

#endif
