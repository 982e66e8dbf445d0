/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* User-space stack frames: a process's addresses to 'func+0x1a (/usr/lib/libc.so.6)'. */
#ifndef BPFDUMP_USYMS_H
#define BPFDUMP_USYMS_H

#include <stdbool.h>
#include <linux/types.h>

#include "internal.h"

struct bd_usyms;

/* A cache of processes' mappings and of the ELF files' function symbols. */
struct bd_usyms *bd_usyms__new(void);
void bd_usyms__free(struct bd_usyms *us);

/*
 * addr of process pid as text into out (appended): 'func+0x1a (/path/of/file)' from
 * the file's .symtab or .dynsym, '0x7f.. (/path/of/file+0xoff)' without a symbol,
 * '0x7f..' when no mapping covers it (the process gone, or not a file's).
 */
void bd_usyms__frame(struct bd_usyms *us, int pid, __u64 addr, struct bd_strbuf *out);

/* A user stack of n addresses (a 0 ends it) as bd_stack_format prints a kernel's. */
void bd_ustack_format(struct bd_usyms *us, int pid, const __u64 *ips, int n,
		      const char *indent, bool json, struct bd_strbuf *out);

#endif
