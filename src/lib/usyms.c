// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * User-space frames: the mapping of /proc/PID/maps that holds an address, the
 * file behind it (through /proc/PID/map_files, so a file since deleted or in
 * another mount namespace is still the one mapped), the address as a virtual
 * address of that ELF file (its PT_LOAD segments), and the function symbol of its
 * .symtab or .dynsym that covers it. Files' symbols are cached by device and inode.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "usyms.h"
#include "util.h"

#define MAX_FILES 64	/* files whose symbols are kept */
#define MAX_LOADS 16

struct usym {
	__u64 addr, size;
	__u32 name;	/* offset into strs */
	int rank;	/* which of aliases names the address: the lowest */
};

struct ufile {
	dev_t dev;
	ino_t ino;
	struct usym *syms;
	size_t cnt;
	char *strs;
	struct { __u64 off, filesz, vaddr; } load[MAX_LOADS];
	int nload;
};

struct umap {
	__u64 start, end, off;
	char path[256];
};

struct bd_usyms {
	struct ufile files[MAX_FILES];
	int nfiles;
	struct umap *maps;	/* the process being printed */
	size_t nmaps, maps_cap;
	int pid;
};

struct bd_usyms *bd_usyms__new(void)
{
	if (elf_version(EV_CURRENT) == EV_NONE)
		return NULL;
	return calloc(1, sizeof(struct bd_usyms));
}

void bd_usyms__free(struct bd_usyms *us)
{
	int i;

	if (!us)
		return;
	for (i = 0; i < us->nfiles; i++) {
		free(us->files[i].syms);
		free(us->files[i].strs);
	}
	free(us->maps);
	free(us);
}

/* printable, no quotes or backslashes (JSON strings as they are) */
static void clean(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < ' ' || (unsigned char)*s >= 0x7f || *s == '"' || *s == '\\')
			*s = '?';
}

/* The file-backed mappings of pid, again (a process maps and unmaps). */
static int read_maps(struct bd_usyms *us, int pid)
{
	char path[64], line[512];
	FILE *f;

	us->nmaps = 0;
	us->pid = pid;
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long start, end, off;
		struct umap *m;
		int n = 0;
		char *p;

		if (sscanf(line, "%llx-%llx %*s %llx %*s %*s %n", &start, &end, &off, &n) != 3 ||
		    !n || line[n] != '/')
			continue;	/* anonymous, [stack], [vdso]... */
		if (bd_grow((void **)&us->maps, &us->maps_cap, us->nmaps + 1, sizeof(*us->maps)))
			break;
		m = &us->maps[us->nmaps++];
		m->start = start;
		m->end = end;
		m->off = off;
		p = line + n;
		p[strcspn(p, "\n")] = '\0';
		snprintf(m->path, sizeof(m->path), "%s", p);
		clean(m->path);
	}
	fclose(f);
	return 0;
}

static int cmp_usym(const void *x, const void *y)
{
	const struct usym *a = x, *b = y;

	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	return a->rank - b->rank;
}

/* a global name before a weak one before a local one, then fewer leading '_' */
static int rank(const GElf_Sym *s, const char *name)
{
	int b = GELF_ST_BIND(s->st_info), r = b == STB_GLOBAL ? 0 : b == STB_WEAK ? 1 : 2;

	return r * 16 + (int)strspn(name, "_");
}

/* The function symbols and load segments of an ELF file: 0, or -errno. */
static int load_elf(int fd, struct ufile *uf)
{
	size_t cap = 0, strs_len = 0, strs_cap = 0, i, n, out;
	Elf_Scn *scn = NULL;
	int err = -ENOEXEC;
	Elf *elf;

	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF)
		goto end;
	if (elf_getphdrnum(elf, &n))
		goto end;
	for (i = 0; i < n && uf->nload < MAX_LOADS; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		uf->load[uf->nload].off = ph.p_offset;
		uf->load[uf->nload].filesz = ph.p_filesz;
		uf->load[uf->nload++].vaddr = ph.p_vaddr;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM) ||
		    !sh.sh_entsize)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data)
			continue;
		for (i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			const char *name;
			GElf_Sym s;
			size_t len;

			if (!gelf_getsym(data, i, &s) || !s.st_value || s.st_shndx == SHN_UNDEF ||
			    (GELF_ST_TYPE(s.st_info) != STT_FUNC &&
			     GELF_ST_TYPE(s.st_info) != STT_GNU_IFUNC))
				continue;
			name = elf_strptr(elf, sh.sh_link, s.st_name);
			if (!name || !*name)
				continue;
			len = strlen(name);
			if (strs_len + len + 1 > 0xffffffffu)	/* names are u32 offsets */
				break;
			if (bd_grow((void **)&uf->strs, &strs_cap, strs_len + len + 1, 1) ||
			    bd_grow((void **)&uf->syms, &cap, uf->cnt + 1, sizeof(*uf->syms)))
				goto nomem;
			memcpy(uf->strs + strs_len, name, len + 1);
			clean(uf->strs + strs_len);
			uf->syms[uf->cnt].addr = s.st_value;
			uf->syms[uf->cnt].size = s.st_size;
			uf->syms[uf->cnt].rank = rank(&s, name);
			uf->syms[uf->cnt++].name = strs_len;
			strs_len += len + 1;
		}
	}
	if (uf->cnt)
		qsort(uf->syms, uf->cnt, sizeof(*uf->syms), cmp_usym);
	/* aliases (and .symtab's copies of .dynsym's): one per address, the best ranked */
	for (i = 0, out = 0; i < uf->cnt; i++)
		if (!out || uf->syms[out - 1].addr != uf->syms[i].addr)
			uf->syms[out++] = uf->syms[i];
	uf->cnt = out;
	err = 0;
	goto end;
nomem:
	err = -ENOMEM;
end:
	if (elf)
		elf_end(elf);
	return err;
}

/* The symbols of the file mapped at m (opened through map_files), or NULL. */
static struct ufile *file_of(struct bd_usyms *us, const struct umap *m)
{
	char path[300];
	struct ufile *uf;
	struct stat st;
	int fd, i;

	snprintf(path, sizeof(path), "/proc/%d/map_files/%llx-%llx", us->pid,
		 (unsigned long long)m->start, (unsigned long long)m->end);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		snprintf(path, sizeof(path), "/proc/%d/root%s", us->pid, m->path);
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	}
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return NULL;
	}
	for (i = 0; i < us->nfiles; i++)
		if (us->files[i].dev == st.st_dev && us->files[i].ino == st.st_ino) {
			close(fd);
			return &us->files[i];
		}
	if (us->nfiles == MAX_FILES) {
		close(fd);
		return NULL;
	}
	uf = &us->files[us->nfiles];
	memset(uf, 0, sizeof(*uf));
	uf->dev = st.st_dev;
	uf->ino = st.st_ino;
	if (load_elf(fd, uf)) {
		free(uf->syms);
		free(uf->strs);
		memset(uf, 0, sizeof(*uf));
		uf->dev = st.st_dev;	/* known to have none */
		uf->ino = st.st_ino;
	}
	close(fd);
	us->nfiles++;
	return uf;
}

static const struct usym *find_sym(const struct ufile *uf, __u64 vaddr)
{
	size_t lo = 0, hi = uf->cnt;

	if (!uf->cnt || vaddr < uf->syms[0].addr)
		return NULL;
	while (hi - lo > 1) {	/* syms[lo].addr <= vaddr < syms[hi].addr */
		size_t mid = lo + (hi - lo) / 2;

		if (uf->syms[mid].addr <= vaddr)
			lo = mid;
		else
			hi = mid;
	}
	if (vaddr - uf->syms[lo].addr >= uf->syms[lo].size && vaddr != uf->syms[lo].addr)
		return NULL;
	return &uf->syms[lo];
}

void bd_usyms__frame(struct bd_usyms *us, int pid, __u64 addr, struct bd_strbuf *out)
{
	const struct umap *m = NULL;
	const struct usym *s = NULL;
	struct ufile *uf;
	__u64 foff;
	size_t i;
	int l;

	if (us && us->pid != pid)
		read_maps(us, pid);
	for (i = 0; us && i < us->nmaps && !m; i++)
		if (addr >= us->maps[i].start && addr < us->maps[i].end)
			m = &us->maps[i];
	if (!m) {
		sb_printf(out, "0x%llx", (unsigned long long)addr);
		return;
	}
	foff = addr - m->start + m->off;
	uf = file_of(us, m);
	for (l = 0; uf && l < uf->nload && !s; l++)
		if (foff >= uf->load[l].off && foff < uf->load[l].off + uf->load[l].filesz)
			s = find_sym(uf, foff - uf->load[l].off + uf->load[l].vaddr);
	if (s)
		sb_printf(out, "%s+0x%llx (%s)", uf->strs + s->name,
			  (unsigned long long)(foff - uf->load[l - 1].off + uf->load[l - 1].vaddr -
					       s->addr), m->path);
	else
		sb_printf(out, "0x%llx (%s+0x%llx)", (unsigned long long)addr, m->path,
			  (unsigned long long)foff);
}

void bd_ustack_format(struct bd_usyms *us, int pid, const __u64 *ips, int n,
		      const char *indent, bool json, struct bd_strbuf *out)
{
	int i;

	sb_reset(out);
	if (us)
		us->pid = 0;	/* the maps read again: the process may have changed them */
	if (json)
		sb_putc(out, '[');
	for (i = 0; i < n && ips[i]; i++) {
		if (json)
			sb_puts(out, i ? ",\"" : "\"", i ? 2 : 1);
		else
			sb_puts(out, indent, strlen(indent));
		bd_usyms__frame(us, pid, ips[i], out);
		sb_putc(out, json ? '"' : '\n');
	}
	if (json)
		sb_putc(out, ']');
	else if (!out->s)
		sb_puts(out, "", 0);
}
