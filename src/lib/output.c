// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Row printers: an aligned table (util-linux style) and JSON lines. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "output.h"
#include "util.h"

#define TABLE_MEASURE_ROWS 1000	/* widths come from the first rows; memory stays flat */

struct bd_printer {
	FILE *out;
	enum bpfdump_format format;
	bool raw, noheadings;
	int ncols;
	const char **names;	/* JSON keys */
	const char **headers;
	const bool *right;
	size_t *width;
	/* rows held while measuring: held_cnt * ncols escaped cells in one arena */
	size_t *held_off, *held_len;	/* where each starts in arena, its length */
	size_t *held_w;			/* its display width */
	struct bd_strbuf arena;
	int held_cnt;
	bool measured;
	int err;			/* the first write error, -errno */
	struct bd_strbuf *esc;		/* per column: escaped copies */
	const char **row;		/* per column: the cell printed */
	size_t *row_len, *row_w;	/* its length and display width */
	struct bd_strbuf line;		/* the row being written: one fwrite each */
	struct bd_strbuf keys;		/* JSON: ,"name": of every column, escaped once */
	size_t *key_off;		/* where column i's starts in keys (and i + 1's) */
};

/* Length of a valid UTF-8 sequence at s (n bytes left), or 0. */
static int utf8_len(const unsigned char *s, size_t n)
{
	int len, i;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0 && s[0] >= 0xc2)
		len = 2;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3;
	else if ((s[0] & 0xf8) == 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if ((size_t)len > n)
		return 0;
	for (i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

/*
 * A JSON string literal of s into b: control bytes and invalid UTF-8 as \u00XX,
 * printable ASCII copied a run at a time.
 */
void bd_json_sb(struct bd_strbuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run;

	sb_putc(b, '"');
	while (i < n) {
		unsigned char c;
		int l;

		for (run = i; run < n && p[run] >= 0x20 && p[run] < 0x7f && p[run] != '"' &&
			      p[run] != '\\'; run++)
			;
		if (run > i) {
			sb_puts(b, s + i, run - i);
			i = run;
			continue;
		}
		c = p[i];
		if (c == '"' || c == '\\') {
			char e[2] = { '\\', c };

			sb_puts(b, e, 2);
			i++;
		} else if (c == '\n') {
			sb_puts(b, "\\n", 2);
			i++;
		} else if (c == '\t') {
			sb_puts(b, "\\t", 2);
			i++;
		} else if (c >= 0x80 && (l = utf8_len(p + i, n - i)) > 0) {
			sb_puts(b, s + i, l);
			i += l;
		} else {
			/* a control byte, or not UTF-8: kept as a code point so nothing is lost */
			char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

			sb_puts(b, e, 6);
			i++;
		}
	}
	sb_putc(b, '"');
}

void bd_json_str(FILE *f, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	struct bd_strbuf b = {};
	size_t i;

	for (i = 0; i < n && p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' && p[i] != '\\'; i++)
		;
	if (i == n) {	/* nothing to escape: most strings */
		putc_unlocked('"', f);
		fwrite_unlocked(s, 1, n, f);
		putc_unlocked('"', f);
		return;
	}
	bd_json_sb(&b, s, n);
	fwrite_unlocked(b.s, 1, b.len, f);
	sb_free(&b);
}

/* 1: escaped in every table, 2: escaped in raw tables only; 4: not ASCII (a
 * cell's display width is then not its length) */
static const unsigned char esc_class[256] = {
	[0 ... 0x1f] = 3, [' '] = 2, ['\\'] = 3, [0x7f] = 3, [0x80 ... 0xff] = 4,
};

static inline bool needs_escape(unsigned char c, bool raw)
{
	return esc_class[c] & (raw ? 2 : 1);
}

/* Display width of n bytes: count UTF-8 lead bytes. */
static size_t cell_width(const char *s, size_t n)
{
	size_t w = 0, i;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			w++;
	return w;
}

/* Table cells: control bytes (and in raw mode, spaces) as \xNN, like lsblk -r.
 * Returns s itself when no byte needs it, else the escaped copy in b; *len its
 * length, *width its display width. One look at each byte for all three. */
static const char *escape_cell(struct bd_strbuf *b, const char *s, size_t n, bool raw,
			       size_t *len, size_t *width)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char mask = raw ? 2 : 1, seen = 0;
	size_t i, from = 0;

	for (i = 0; i < n; i++) {
		unsigned char k = esc_class[(unsigned char)s[i]];

		if (k & mask)
			break;
		seen |= k;
	}
	if (i == n && s[n] == '\0') {
		*len = n;
		*width = seen & 4 ? cell_width(s, n) : n;
		return s;
	}
	sb_reset(b);
	for (; i < n; i++) {
		unsigned char c = s[i];
		char e[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };

		if (!needs_escape(c, raw))
			continue;
		sb_puts(b, s + from, i - from);
		sb_puts(b, e, 4);
		from = i + 1;
	}
	sb_puts(b, s + from, n - from);
	*len = b->len;
	*width = cell_width(b->s, b->len);
	return b->s;
}

const char *bd_text_escape(struct bd_strbuf *b, const char *s, size_t n)
{
	size_t len, width;

	return escape_cell(b, s, n, false, &len, &width);
}

struct bd_printer *bd_printer__new(FILE *out, int ncols, const char **names,
				   const char **headers, const bool *right,
				   const struct bpfdump_print_opts *opts)
{
	struct bd_printer *pr = calloc(1, sizeof(*pr));
	int i;

	if (!pr)
		return NULL;
	pr->out = out;
	pr->ncols = ncols;
	pr->names = names;
	pr->headers = headers;
	pr->right = right;
	if (opts) {
		pr->format = opts->format;
		pr->raw = opts->raw;
		pr->noheadings = opts->noheadings;
	}
	pr->width = calloc(ncols ? ncols : 1, sizeof(size_t));
	pr->held_off = calloc((size_t)TABLE_MEASURE_ROWS * (ncols ? ncols : 1), sizeof(size_t));
	pr->held_len = calloc((size_t)TABLE_MEASURE_ROWS * (ncols ? ncols : 1), sizeof(size_t));
	pr->held_w = calloc((size_t)TABLE_MEASURE_ROWS * (ncols ? ncols : 1), sizeof(size_t));
	pr->key_off = calloc(ncols + 1, sizeof(size_t));
	pr->esc = calloc(ncols ? ncols : 1, sizeof(*pr->esc));
	pr->row = calloc(ncols ? ncols : 1, sizeof(*pr->row));
	pr->row_len = calloc(ncols ? ncols : 1, sizeof(size_t));
	pr->row_w = calloc(ncols ? ncols : 1, sizeof(size_t));
	for (i = 0; pr->key_off && i < ncols; i++) {
		pr->key_off[i] = pr->keys.len;
		if (i)
			sb_putc(&pr->keys, ',');
		bd_json_sb(&pr->keys, names[i], strlen(names[i]));
		sb_putc(&pr->keys, ':');
	}
	if (pr->key_off)
		pr->key_off[ncols] = pr->keys.len;
	if (!pr->width || !pr->held_off || !pr->held_len || !pr->held_w || !pr->key_off ||
	    !pr->esc || !pr->row || !pr->row_len || !pr->row_w || (ncols && !pr->keys.s)) {
		bd_printer__free(pr);
		errno = ENOMEM;
		return NULL;
	}
	for (i = 0; i < ncols; i++)
		pr->width[i] = pr->noheadings ? 0 : cell_width(headers[i], strlen(headers[i]));
	if (pr->raw)
		pr->measured = true;
	if (pr->format == BPFDUMP_FMT_TABLE && pr->raw && !pr->noheadings) {
		for (i = 0; i < ncols; i++)
			fprintf(out, "%s%s", i ? " " : "", headers[i]);
		fputc('\n', out);
	}
	return pr;
}

/* Write a whole line; the first failure's errno is kept (ENOSPC, EPIPE, ...):
 * a later ferror() alone cannot tell which it was. */
static void put_line(struct bd_printer *pr, const struct bd_strbuf *b)
{
	if (fwrite_unlocked(b->s, 1, b->len, pr->out) != b->len && !pr->err)
		pr->err = errno ? -errno : -EIO;
}

/* 0, or the first write error as -errno */
static int write_status(struct bd_printer *pr)
{
	if (!pr->err && ferror_unlocked(pr->out))
		pr->err = errno ? -errno : -EIO;
	return pr->err;
}

static void put_pad(struct bd_strbuf *b, size_t n)
{
	static const char sp[] = "                                ";

	while (n) {
		size_t k = n < sizeof(sp) - 1 ? n : sizeof(sp) - 1;

		sb_puts(b, sp, k);
		n -= k;
	}
}

/* One table row; lens NULL: NUL-terminated cells, widths NULL: measured here. */
static void print_cells(struct bd_printer *pr, const char *const *cells, const size_t *lens,
			const size_t *widths)
{
	struct bd_strbuf *b = &pr->line;
	int i;

	sb_reset(b);
	for (i = 0; i < pr->ncols; i++) {
		const char *c = cells[i];
		size_t len = lens ? lens[i] : strlen(c), w, pad;

		if (i)
			sb_putc(b, ' ');
		if (pr->raw || (i == pr->ncols - 1 && !pr->right[i])) {
			sb_puts(b, c, len);
			continue;
		}
		w = widths ? widths[i] : cell_width(c, len);
		pad = pr->width[i] > w ? pr->width[i] - w : 0;
		if (pr->right[i])
			put_pad(b, pad);
		sb_puts(b, c, len);
		if (!pr->right[i])
			put_pad(b, pad);
	}
	sb_putc(b, '\n');
	put_line(pr, b);
}

static void flush_held(struct bd_printer *pr)
{
	const char **row = pr->row;
	size_t k;
	int r, i;

	if (!pr->noheadings)
		print_cells(pr, pr->headers, NULL, NULL);
	for (r = 0; r < pr->held_cnt; r++) {
		k = (size_t)r * pr->ncols;
		for (i = 0; i < pr->ncols; i++)
			row[i] = pr->arena.s + pr->held_off[k + i];
		print_cells(pr, row, &pr->held_len[k], &pr->held_w[k]);
	}
	pr->held_cnt = 0;
	sb_free(&pr->arena);
	pr->measured = true;
}

int bd_printer__row(struct bd_printer *pr, char *const *cells, const size_t *lens,
		    const bool *numeric)
{
	const char **row = pr->row;
	size_t *len = pr->row_len, *w = pr->row_w;
	int i;

	if (pr->format == BPFDUMP_FMT_JSON) {
		struct bd_strbuf *b = &pr->line;

		sb_reset(b);
		sb_putc(b, '{');
		for (i = 0; i < pr->ncols; i++) {
			sb_puts(b, pr->keys.s + pr->key_off[i], pr->key_off[i + 1] - pr->key_off[i]);
			if (numeric[i])
				sb_puts(b, cells[i], lens[i]);
			else
				bd_json_sb(b, cells[i], lens[i]);
		}
		sb_puts(b, "}\n", 2);
		put_line(pr, b);
		return write_status(pr);
	}
	for (i = 0; i < pr->ncols; i++)
		row[i] = escape_cell(&pr->esc[i], cells[i], lens[i], pr->raw, &len[i], &w[i]);
	if (pr->measured) {
		print_cells(pr, row, len, w);
		return write_status(pr);
	}
	for (i = 0; i < pr->ncols; i++) {
		size_t k = (size_t)pr->held_cnt * pr->ncols + i, at = pr->arena.len;

		sb_puts(&pr->arena, row[i], len[i]);
		sb_putc(&pr->arena, '\0');
		if (pr->arena.len != at + len[i] + 1)
			return -ENOMEM;
		pr->held_off[k] = at;
		pr->held_len[k] = len[i];
		pr->held_w[k] = w[i];
		if (w[i] > pr->width[i])
			pr->width[i] = w[i];
	}
	if (++pr->held_cnt == TABLE_MEASURE_ROWS) {
		flush_held(pr);
		return write_status(pr);
	}
	return 0;
}

int bd_printer__finish(struct bd_printer *pr)
{
	if (pr->format == BPFDUMP_FMT_TABLE && !pr->measured)
		flush_held(pr);
	if (fflush(pr->out) && !pr->err)
		pr->err = -errno;
	return write_status(pr);
}

void bd_printer__free(struct bd_printer *pr)
{
	int i;

	if (!pr)
		return;
	free(pr->held_off);
	free(pr->held_len);
	free(pr->held_w);
	sb_free(&pr->arena);
	free(pr->width);
	for (i = 0; pr->esc && i < pr->ncols; i++)
		sb_free(&pr->esc[i]);
	free(pr->esc);
	free(pr->row);
	free(pr->row_len);
	free(pr->row_w);
	sb_free(&pr->line);
	sb_free(&pr->keys);
	free(pr->key_off);
	free(pr);
}

/* Kernel addresses: who /proc/kallsyms shows them to */

#define CAP_SYSLOG_BIT 34

static int read_sysctl(const char *path, int dflt)
{
	char buf[32];
	FILE *f = fopen(path, "re");
	long v;
	char *end;

	if (!f)
		return dflt;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return dflt;
	}
	fclose(f);
	v = strtol(buf, &end, 10);
	if (end == buf || v < -1000 || v > 1000)
		return dflt;
	return (int)v;
}

void bd_kaddr_sysctl_read(struct bd_kaddr_sysctl *s)
{
	s->kptr_restrict = read_sysctl("/proc/sys/kernel/kptr_restrict", 2);
	s->perf_event_paranoid = read_sysctl("/proc/sys/kernel/perf_event_paranoid", 3);
}

bool bd_kaddr_shown(const struct bd_kaddr_sysctl *s, bool cap_syslog)
{
	if (s->kptr_restrict == 0 && s->perf_event_paranoid <= 1)
		return true;
	return s->kptr_restrict <= 1 && cap_syslog;
}

/*
 * CAP_SYSLOG in the init user namespace (security_capable(cred, &init_user_ns, ...)):
 * CapEff has it and the process's user namespace is ours. want_uid >= 0: its fs uid
 * (the 4th Uid: field) must be that, so a reused pid is not asked in its place.
 */
static bool proc_cap_syslog(const char *dir, long long want_uid)
{
	char path[64], line[256];
	unsigned long long capeff = 0;
	bool have_cap = false, uid_ok = want_uid < 0;
	struct stat a, b;
	FILE *f;

	snprintf(path, sizeof(path), "%s/ns/user", dir);
	if (stat(path, &a) || stat("/proc/self/ns/user", &b) || a.st_ino != b.st_ino ||
	    a.st_dev != b.st_dev)
		return false;
	snprintf(path, sizeof(path), "%s/status", dir);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long r, e, sv, fs;

		if (!strncmp(line, "CapEff:", 7) && sscanf(line + 7, "%llx", &capeff) == 1)
			have_cap = true;
		else if (want_uid >= 0 && !strncmp(line, "Uid:", 4) &&
			 sscanf(line + 4, "%llu %llu %llu %llu", &r, &e, &sv, &fs) == 4)
			uid_ok = fs == (unsigned long long)want_uid;
	}
	fclose(f);
	return have_cap && uid_ok && (capeff >> CAP_SYSLOG_BIT & 1);
}

bool bd_kaddr_visible(int pid, unsigned int uid)
{
	struct bd_kaddr_sysctl s;
	char dir[32];

	bd_kaddr_sysctl_read(&s);
	if (bd_kaddr_shown(&s, false))
		return true;
	if (pid <= 0)
		return false;
	snprintf(dir, sizeof(dir), "/proc/%d", pid);
	return bd_kaddr_shown(&s, proc_cap_syslog(dir, uid));
}

void bd_print_opts_set_reader(struct bpfdump_print_opts *po, int pid, unsigned int uid)
{
	po->kaddrs = bd_kaddr_visible(pid, uid) ? BPFDUMP_KADDR_SHOW : BPFDUMP_KADDR_HIDE;
}

bool bd_print_hides_kaddr(const struct bpfdump_print_opts *po)
{
	struct bd_kaddr_sysctl s;
	enum bpfdump_kaddrs k = BPFDUMP_KADDR_AUTO;

	k = OPTS_GET(po, kaddrs, BPFDUMP_KADDR_AUTO);
	if (k == BPFDUMP_KADDR_SHOW)
		return false;
	if (k == BPFDUMP_KADDR_HIDE)
		return true;
	bd_kaddr_sysctl_read(&s);
	return !bd_kaddr_shown(&s, proc_cap_syslog("/proc/self", -1));
}
