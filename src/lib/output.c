// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Row printers: an aligned table (util-linux style) and JSON lines. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "output.h"

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
	/* rows held while measuring */
	char **held;		/* held_cnt * ncols escaped cells */
	int held_cnt;
	bool measured;
	struct bd_strbuf esc[64];	/* per column: escaped copies */
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

/* 1: escaped in every table, 2: escaped in raw tables only */
static const unsigned char esc_class[256] = {
	[0 ... 0x1f] = 3, [' '] = 2, ['\\'] = 3, [0x7f] = 3,
};

static inline bool needs_escape(unsigned char c, bool raw)
{
	return esc_class[c] & (raw ? 2 : 1);
}

/* Table cells: control bytes (and in raw mode, spaces) as \xNN, like lsblk -r.
 * Returns s itself when no byte needs it, else the escaped copy in b. */
static const char *escape_cell(struct bd_strbuf *b, const char *s, size_t n, bool raw)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, from = 0;

	for (i = 0; i < n && !needs_escape(s[i], raw); i++)
		;
	if (i == n && s[n] == '\0')
		return s;
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
	return b->s;
}

/* Display width: count UTF-8 lead bytes. */
static size_t cell_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
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
	pr->held = calloc((size_t)TABLE_MEASURE_ROWS * (ncols ? ncols : 1), sizeof(char *));
	pr->key_off = calloc(ncols + 1, sizeof(size_t));
	for (i = 0; pr->key_off && i < ncols; i++) {
		pr->key_off[i] = pr->keys.len;
		if (i)
			sb_putc(&pr->keys, ',');
		bd_json_sb(&pr->keys, names[i], strlen(names[i]));
		sb_putc(&pr->keys, ':');
	}
	if (pr->key_off)
		pr->key_off[ncols] = pr->keys.len;
	if (!pr->width || !pr->held || !pr->key_off || (ncols && !pr->keys.s)) {
		bd_printer__free(pr);
		errno = ENOMEM;
		return NULL;
	}
	for (i = 0; i < ncols; i++)
		pr->width[i] = pr->noheadings ? 0 : cell_width(headers[i]);
	if (pr->raw)
		pr->measured = true;
	if (pr->format == BPFDUMP_FMT_TABLE && pr->raw && !pr->noheadings) {
		for (i = 0; i < ncols; i++)
			fprintf(out, "%s%s", i ? " " : "", headers[i]);
		fputc('\n', out);
	}
	return pr;
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

static void print_cells(struct bd_printer *pr, char *const *cells)
{
	struct bd_strbuf *b = &pr->line;
	int i;

	sb_reset(b);
	for (i = 0; i < pr->ncols; i++) {
		const char *c = cells[i];
		size_t len = strlen(c), w, pad;

		if (i)
			sb_putc(b, ' ');
		if (pr->raw || (i == pr->ncols - 1 && !pr->right[i])) {
			sb_puts(b, c, len);
			continue;
		}
		w = cell_width(c);
		pad = pr->width[i] > w ? pr->width[i] - w : 0;
		if (pr->right[i])
			put_pad(b, pad);
		sb_puts(b, c, len);
		if (!pr->right[i])
			put_pad(b, pad);
	}
	sb_putc(b, '\n');
	fwrite_unlocked(b->s, 1, b->len, pr->out);
}

static void flush_held(struct bd_printer *pr)
{
	int r, i;

	if (!pr->noheadings)
		print_cells(pr, (char *const *)pr->headers);
	for (r = 0; r < pr->held_cnt; r++) {
		print_cells(pr, &pr->held[r * pr->ncols]);
		for (i = 0; i < pr->ncols; i++) {
			free(pr->held[r * pr->ncols + i]);
			pr->held[r * pr->ncols + i] = NULL;
		}
	}
	pr->held_cnt = 0;
	pr->measured = true;
}

int bd_printer__row(struct bd_printer *pr, char *const *cells, const size_t *lens,
		    const bool *numeric)
{
	char *row[64];
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
		fwrite_unlocked(b->s, 1, b->len, pr->out);
		return ferror_unlocked(pr->out) ? -EIO : 0;
	}
	if (pr->ncols > 64)
		return -E2BIG;
	if (pr->measured) {
		for (i = 0; i < pr->ncols; i++)
			row[i] = (char *)escape_cell(&pr->esc[i], cells[i], lens[i], pr->raw);
		print_cells(pr, row);
		return ferror_unlocked(pr->out) ? -EIO : 0;
	}
	for (i = 0; i < pr->ncols; i++) {
		const char *e = escape_cell(&pr->esc[i], cells[i], lens[i], pr->raw);
		size_t w;

		pr->held[pr->held_cnt * pr->ncols + i] = strdup(e);
		if (!pr->held[pr->held_cnt * pr->ncols + i])
			return -ENOMEM;
		w = cell_width(e);
		if (w > pr->width[i])
			pr->width[i] = w;
	}
	if (++pr->held_cnt == TABLE_MEASURE_ROWS)
		flush_held(pr);
	return 0;
}

int bd_printer__finish(struct bd_printer *pr)
{
	if (pr->format == BPFDUMP_FMT_TABLE && !pr->measured)
		flush_held(pr);
	fflush(pr->out);
	return ferror(pr->out) ? -EIO : 0;
}

void bd_printer__free(struct bd_printer *pr)
{
	int i;

	if (!pr)
		return;
	if (pr->held)
		for (i = 0; i < pr->held_cnt * pr->ncols; i++)
			free(pr->held[i]);
	free(pr->held);
	free(pr->width);
	for (i = 0; i < 64; i++)
		sb_free(&pr->esc[i]);
	sb_free(&pr->line);
	sb_free(&pr->keys);
	free(pr->key_off);
	free(pr);
}
