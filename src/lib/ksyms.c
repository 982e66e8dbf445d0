// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Kernel symbols for stacks: the text symbols of /proc/kallsyms (vmlinux,
 * modules, BPF programs), read once into a table sorted by address, searched
 * for the nearest symbol at or below a return address.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ksyms.h"
#include "util.h"

struct ksym {
	__u64 addr;
	__u32 name;	/* offsets into strs; names are in file order */
	__u32 module;
};

struct bd_ksyms {
	struct ksym *syms;
	size_t cnt;
	char *strs;
	size_t strs_len, strs_cap;
	bool hidden;
};

static int cmp_ksym(const void *x, const void *y)
{
	const struct ksym *a = x, *b = y;

	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	return a->name < b->name ? -1 : a->name > b->name;	/* the first listed first */
}

/* s into the string table, bytes no name has (controls, quotes) as '?'; its offset, or -1 */
static long add_str(struct bd_ksyms *ks, const char *s, size_t n)
{
	size_t off = ks->strs_len, i;

	if (ks->strs_len + n + 1 > 0xffffffffu ||	/* names are u32 offsets */
	    bd_grow((void **)&ks->strs, &ks->strs_cap, ks->strs_len + n + 1, 1))
		return -1;
	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		ks->strs[off + i] = c <= ' ' || c >= 0x7f || c == '"' || c == '\\' ? '?' : c;
	}
	ks->strs[off + n] = '\0';
	ks->strs_len += n + 1;
	return off;
}

void bd_ksyms__free(struct bd_ksyms *ks)
{
	if (!ks)
		return;
	free(ks->syms);
	free(ks->strs);
	free(ks);
}

/* One line: "ffffffff81000000 T _stext" or "... t ovl_getattr\t[overlay]". */
static int add_line(struct bd_ksyms *ks, char *line, size_t *cap, bool *any, long empty,
		    long *mod_off, char *last_mod, size_t last_mod_len)
{
	char *name, *end, *mod, type;
	unsigned long long addr;
	long name_off, m = empty;
	size_t n;

	addr = strtoull(line, &end, 16);
	if (end == line || end[0] != ' ' || !end[1] || end[2] != ' ')
		return 0;
	type = end[1];
	if (type != 't' && type != 'T' && type != 'w' && type != 'W')
		return 0;	/* return addresses are in text */
	name = end + 3;
	n = strcspn(name, "\t\n ");
	mod = name + n;
	mod += strspn(mod, "\t ");
	name[n] = '\0';
	if (!n)
		return 0;
	*any = true;
	if (!addr)
		return 0;	/* hidden from this user: kptr_restrict */
	if (mod[0] == '[') {
		size_t ml = strcspn(mod + 1, "]\n");

		if (ml >= last_mod_len || strncmp(mod + 1, last_mod, ml) || last_mod[ml]) {
			/* modules come in runs: one copy of each run's name */
			*mod_off = add_str(ks, mod + 1, ml);
			if (*mod_off < 0)
				return -ENOMEM;
			snprintf(last_mod, last_mod_len, "%.*s", (int)ml, mod + 1);
		}
		m = *mod_off;
	}
	name_off = add_str(ks, name, n);
	if (name_off < 0)
		return -ENOMEM;
	if (bd_grow((void **)&ks->syms, cap, ks->cnt + 1, sizeof(*ks->syms)))
		return -ENOMEM;
	ks->syms[ks->cnt].addr = addr;
	ks->syms[ks->cnt].name = name_off;
	ks->syms[ks->cnt++].module = m;
	return 0;
}

struct bd_ksyms *bd_ksyms__load_file(const char *path)
{
	char line[512], last_mod[128] = "";
	struct bd_ksyms *ks;
	size_t cap = 0, i, out;
	long empty, mod_off = -1;
	bool any = false;
	struct stat st;
	FILE *f = NULL;
	int fd, err;

	ks = calloc(1, sizeof(*ks));
	if (!ks)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		err = -errno;
		goto free_ks;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		err = -EINVAL;
		close(fd);
		goto free_ks;
	}
	f = fdopen(fd, "r");
	if (!f) {
		err = -errno;
		close(fd);
		goto free_ks;
	}
	empty = add_str(ks, "", 0);
	if (empty < 0)
		goto nomem;
	while (fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);

		if (n && line[n - 1] != '\n' && !feof(f)) {
			int c;

			/* longer than any symbol's line: skip its rest */
			while ((c = fgetc(f)) != EOF && c != '\n')
				;
			continue;
		}
		err = add_line(ks, line, &cap, &any, empty, &mod_off, last_mod, sizeof(last_mod));
		if (err)
			goto close_f;
	}
	fclose(f);
	ks->hidden = any && !ks->cnt;
	if (ks->cnt)	/* no symbols (hidden, or an empty file): no array to sort */
		qsort(ks->syms, ks->cnt, sizeof(*ks->syms), cmp_ksym);
	/* aliases at one address: the first listed names it */
	for (i = 0, out = 0; i < ks->cnt; i++)
		if (!out || ks->syms[out - 1].addr != ks->syms[i].addr)
			ks->syms[out++] = ks->syms[i];
	ks->cnt = out;
	return ks;
nomem:
	err = -ENOMEM;
close_f:
	fclose(f);
free_ks:
	bd_ksyms__free(ks);
	errno = -err;
	return NULL;
}

struct bd_ksyms *bd_ksyms__load(void)
{
	return bd_ksyms__load_file("/proc/kallsyms");
}

bool bd_ksyms__hidden(const struct bd_ksyms *ks)
{
	return ks && ks->hidden;
}

size_t bd_ksyms__count(const struct bd_ksyms *ks)
{
	return ks ? ks->cnt : 0;
}

const char *bd_ksyms__find(const struct bd_ksyms *ks, __u64 addr, __u64 *off,
			   const char **module)
{
	size_t lo = 0, hi;

	if (!ks || !ks->cnt || addr < ks->syms[0].addr)
		return NULL;
	hi = ks->cnt;
	while (hi - lo > 1) {	/* syms[lo].addr <= addr < syms[hi].addr */
		size_t mid = lo + (hi - lo) / 2;

		if (ks->syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (addr - ks->syms[lo].addr >= BD_KSYMS_MAX_OFF)
		return NULL;
	*off = addr - ks->syms[lo].addr;
	*module = ks->strs + ks->syms[lo].module;
	return ks->strs + ks->syms[lo].name;
}

static void frame_text(const struct bd_ksyms *ks, __u64 ip, struct bd_strbuf *out)
{
	const char *name, *mod;
	__u64 off;

	name = bd_ksyms__find(ks, ip, &off, &mod);
	if (!name) {
		/* kallsyms shows this user addresses (not hidden): so may we */
		sb_printf(out, "0x%llx", (unsigned long long)ip);
		return;
	}
	sb_printf(out, "%s+0x%llx", name, (unsigned long long)off);
	if (mod[0])
		sb_printf(out, " [%s]", mod);
}

static bool in_bpf(const struct bd_ksyms *ks, __u64 ip)
{
	const char *mod;
	__u64 off;

	return bd_ksyms__find(ks, ip, &off, &mod) && !strcmp(mod, "bpf");
}

void bd_stack_format(const struct bd_ksyms *ks, const __u64 *ips, int n, const char *indent,
		     bool json, struct bd_strbuf *out)
{
	int i, first;

	sb_reset(out);
	if (!ks || ks->hidden) {
		if (json)
			sb_puts(out, "null", 4);
		else
			sb_printf(out, "%s%s\n", indent, BD_KSYMS_HIDDEN_TEXT);
		return;
	}
	if (json)
		sb_putc(out, '[');
	/* the tracer's own program (and trampoline) on top: not the traced kernel's */
	for (i = 0; i < n && ips[i] && in_bpf(ks, ips[i]); i++)
		;
	for (first = i; i < n && ips[i]; i++) {
		if (json)	/* names were made printable, without quotes, when read */
			sb_puts(out, i > first ? ",\"" : "\"", i > first ? 2 : 1);
		else
			sb_puts(out, indent, strlen(indent));
		frame_text(ks, ips[i], out);
		if (json)
			sb_putc(out, '"');
		else
			sb_putc(out, '\n');
	}
	if (json)
		sb_putc(out, ']');
	else if (!out->s)
		sb_puts(out, "", 0);
}
