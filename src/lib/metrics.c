// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Metrics from SQL: a config of sections, one metric each,
 *
 *   [tcp_sockets]
 *   help    = TCP sockets by state
 *   type    = gauge
 *   query   = SELECT state, count(*) AS value FROM tcp GROUP BY state
 *   timeout = 5
 *
 * gives bpfdump_tcp_sockets{state="LISTEN"} 3. The column named `value` (or else the
 * last column) is the sample's value; every other column is a label. Queries are
 * prepared, and their programs loaded, once; a render only runs them. Runs are
 * serialized (the library context is not thread-safe), and a render that finds a
 * metric's query running waits for that run and shares its result.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "metrics.h"
#include "sql.h"
#include "util.h"

#define METRIC_PREFIX "bpfdump_"
#define CONF_MAX_BYTES (1 << 20)
#define TIMEOUT_DEFAULT_MS 10000L

enum metric_type { MT_GAUGE, MT_COUNTER, MT_UNTYPED };

struct metric {
	char *name;		/* bpfdump_<section> */
	char *help;
	char *query;
	enum metric_type type;
	long timeout_ms;
	int line;		/* of its section header */
	struct bd_sql_prep *prep;
	int value_col;
	/* the last run's result, shared by renders that waited for it */
	pthread_mutex_t lock;
	pthread_cond_t done;
	bool running;
	unsigned long gen;
	struct bd_strbuf series;	/* "{labels} value\n" per row */
	bool ok;
	unsigned long errors;
	double seconds;
	char *last_err;
};

struct bd_metrics {
	struct bpfdump *d;
	pthread_mutex_t run_lock;	/* one query at a time on d */
	bool starting;		/* the first runs: a failure is load's error, not a warning */
	struct metric *m;
	int cnt;
	size_t cap;
};

/* ---- names and escaping ---- */

static bool valid_name(const char *s, bool colon)
{
	const char *p;

	if (!*s || isdigit((unsigned char)*s))
		return false;
	for (p = s; *p; p++)
		if (!(isalnum((unsigned char)*p) || *p == '_' || (colon && *p == ':')) ||
		    (*p & 0x80))
			return false;
	return true;
}

/* Length of a valid UTF-8 sequence at p (of at most n bytes), or 0. */
static int utf8_len(const unsigned char *p, size_t n)
{
	int len, i;
	unsigned int cp;

	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xe0) == 0xc0)
		len = 2, cp = p[0] & 0x1f;
	else if ((p[0] & 0xf0) == 0xe0)
		len = 3, cp = p[0] & 0x0f;
	else if ((p[0] & 0xf8) == 0xf0)
		len = 4, cp = p[0] & 0x07;
	else
		return 0;
	if ((size_t)len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* Text as the exposition formats quote it: \\, \n, and \" (labels; HELP in
 * OpenMetrics); invalid UTF-8 becomes U+FFFD. */
static void put_escaped(struct bd_strbuf *b, const char *s, bool quote)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	while (n) {
		int len = utf8_len(p, n);

		if (!len) {
			sb_puts(b, "\xef\xbf\xbd", 3);
			p++, n--;
			continue;
		}
		if (*p == '\\')
			sb_puts(b, "\\\\", 2);
		else if (*p == '\n')
			sb_puts(b, "\\n", 2);
		else if (*p == '"' && quote)
			sb_puts(b, "\\\"", 2);
		else
			sb_puts(b, (const char *)p, len);
		p += len, n -= len;
	}
}

static void put_value(struct bd_strbuf *b, double v)
{
	if (isnan(v))
		sb_puts(b, "NaN", 3);
	else if (isinf(v))
		sb_printf(b, "%cInf", v > 0 ? '+' : '-');
	else
		sb_printf(b, "%.17g", v);
}

/* ---- the config ---- */

static bool has_total(const char *name)
{
	size_t len = strlen(name);

	return len > 6 && !strcmp(name + len - 6, "_total");
}

static void metric_free(struct metric *m)
{
	bd_sql_prep_free(m->prep);
	free(m->name);
	free(m->help);
	free(m->query);
	free(m->last_err);
	sb_free(&m->series);
	pthread_mutex_destroy(&m->lock);
	pthread_cond_destroy(&m->done);
}

void bd_metrics__free(struct bd_metrics *ms)
{
	int i;

	if (!ms)
		return;
	for (i = 0; i < ms->cnt; i++)
		metric_free(&ms->m[i]);
	free(ms->m);
	pthread_mutex_destroy(&ms->run_lock);
	free(ms);
}

int bd_metrics__count(const struct bd_metrics *ms)
{
	return ms->cnt;
}

static int set_key(struct bpfdump *d, const char *path, int line, struct metric *m,
		   const char *key, const char *val, char ***last)
{
	char **slot;

	if (!strcmp(key, "help"))
		slot = &m->help;
	else if (!strcmp(key, "query"))
		slot = &m->query;
	else if (!strcmp(key, "type") || !strcmp(key, "timeout"))
		slot = NULL;
	else
		return bd_err(d, -EINVAL, "%s:%d: unknown key '%s' (help, type, query, timeout)",
			      path, line, key);
	if (!strcmp(key, "type")) {
		if (!strcmp(val, "gauge"))
			m->type = MT_GAUGE;
		else if (!strcmp(val, "counter"))
			m->type = MT_COUNTER;
		else if (!strcmp(val, "untyped"))
			m->type = MT_UNTYPED;
		else
			return bd_err(d, -EINVAL, "%s:%d: type '%s': one of gauge, counter, "
				      "untyped", path, line, val);
		*last = NULL;
		return 0;
	}
	if (!strcmp(key, "timeout")) {
		char *end;
		double s;

		errno = 0;
		s = strtod(val, &end);
		if (errno || end == val || *end || !(s > 0 && s <= 3600))
			return bd_err(d, -EINVAL, "%s:%d: timeout '%s': seconds, more than 0 "
				      "and at most 3600", path, line, val);
		m->timeout_ms = (long)(s * 1000) ?: 1;
		*last = NULL;
		return 0;
	}
	if (*slot)
		return bd_err(d, -EINVAL, "%s:%d: '%s' given twice in [%s]", path, line, key,
			      m->name + strlen(METRIC_PREFIX));
	*slot = strdup(val);
	if (!*slot)
		return -ENOMEM;
	*last = slot;
	return 0;
}

/* Append a continuation line (one that starts with blanks) to the last value. */
static int continue_value(char **slot, const char *more)
{
	char *n;

	if (asprintf(&n, "%s %s", *slot, more) < 0)
		return -ENOMEM;
	free(*slot);
	*slot = n;
	return 0;
}

static int parse_config(struct bd_metrics *ms, const char *path, FILE *f)
{
	struct bpfdump *d = ms->d;
	struct metric *m = NULL;
	char *buf = NULL, **last = NULL;
	size_t cap = 0, total = 0;
	ssize_t n;
	int line = 0, err = 0, i;

	while (!err && (n = getline(&buf, &cap, f)) >= 0) {
		char *s, *eq;

		line++;
		total += n;
		if (total > CONF_MAX_BYTES) {
			err = bd_err(d, -EFBIG, "%s: larger than %d bytes", path, CONF_MAX_BYTES);
			break;
		}
		if ((size_t)n != strlen(buf)) {
			err = bd_err(d, -EINVAL, "%s:%d: a NUL byte", path, line);
			break;
		}
		if ((buf[0] == ' ' || buf[0] == '\t') && *bd_trim(buf) && last) {
			err = continue_value(last, bd_trim(buf));
			continue;
		}
		s = bd_trim(buf);
		if (!*s || *s == '#' || *s == ';') {
			if (!*s)
				last = NULL;
			continue;
		}
		last = NULL;
		if (*s == '[') {
			char *e = strchr(s, ']'), *name;

			if (!e || e[1]) {
				err = bd_err(d, -EINVAL, "%s:%d: a section is [NAME] alone on its "
					     "line", path, line);
				break;
			}
			*e = '\0';
			name = bd_trim(s + 1);
			if (!valid_name(name, true)) {
				err = bd_err(d, -EINVAL, "%s:%d: metric name '%s': letters, digits, "
					     "'_' and ':', not starting with a digit", path, line,
					     name);
				break;
			}
			for (i = 0; i < ms->cnt; i++)
				if (!strcmp(ms->m[i].name + strlen(METRIC_PREFIX), name)) {
					err = bd_err(d, -EINVAL, "%s:%d: metric [%s] defined twice "
						     "(first at line %d)", path, line, name,
						     ms->m[i].line);
					break;
				}
			if (err)
				break;
			if (!strcmp(name, "query_errors_total") ||
			    !strcmp(name, "query_duration_seconds")) {
				err = bd_err(d, -EINVAL, "%s:%d: metric [%s]: the name of one of "
					     "bpfdump's own metrics", path, line, name);
				break;
			}
			err = bd_grow((void **)&ms->m, &ms->cap, (size_t)ms->cnt + 1, sizeof(*ms->m));
			if (err)
				break;
			m = &ms->m[ms->cnt];
			memset(m, 0, sizeof(*m));
			pthread_mutex_init(&m->lock, NULL);
			pthread_cond_init(&m->done, NULL);
			ms->cnt++;
			m->line = line;
			m->timeout_ms = TIMEOUT_DEFAULT_MS;
			if (asprintf(&m->name, METRIC_PREFIX "%s", name) < 0) {
				m->name = NULL;
				err = -ENOMEM;
			}
			continue;
		}
		eq = strchr(s, '=');
		if (!eq) {
			err = bd_err(d, -EINVAL, "%s:%d: expected KEY = VALUE or [NAME], got '%.40s'",
				     path, line, s);
			break;
		}
		*eq = '\0';
		if (!m) {
			err = bd_err(d, -EINVAL, "%s:%d: '%s' before any [NAME] section", path,
				     line, bd_trim(s));
			break;
		}
		if (!*bd_trim(eq + 1)) {
			err = bd_err(d, -EINVAL, "%s:%d: '%s' has no value", path, line, bd_trim(s));
			break;
		}
		err = set_key(d, path, line, m, bd_trim(s), bd_trim(eq + 1), &last);
	}
	free(buf);
	if (err)
		return err;
	if (ferror(f))
		return bd_err(d, -EIO, "%s: cannot read: %s", path, strerror(errno));
	if (!ms->cnt)
		return bd_err(d, -EINVAL, "%s: no [NAME] section: no metric to serve", path);
	for (i = 0; i < ms->cnt; i++) {
		if (!ms->m[i].query)
			return bd_err(d, -EINVAL, "%s:%d: metric [%s] has no query", path,
				      ms->m[i].line, ms->m[i].name + strlen(METRIC_PREFIX));
		if (!ms->m[i].help && !(ms->m[i].help = strdup(ms->m[i].query)))
			return -ENOMEM;
		/* a counter's samples end in _total (the 0.0.4 and OpenMetrics convention) */
		if (ms->m[i].type == MT_COUNTER && !has_total(ms->m[i].name)) {
			char *n;

			if (asprintf(&n, "%s_total", ms->m[i].name) < 0)
				return -ENOMEM;
			free(ms->m[i].name);
			ms->m[i].name = n;
		}
	}
	return 0;
}

/* ---- running a query ---- */

struct collect {
	struct metric *m;
	struct bd_strbuf *out;
	const char *bad;	/* why a row was refused */
};

static int add_row(void *ctx, int cnt, const char *const *names, const char *const *texts,
		   const double *nums, const bool *numeric)
{
	struct collect *c = ctx;
	struct bd_strbuf *b = c->out;
	int i, labels = 0;

	if (!numeric[c->m->value_col]) {
		if (!texts[c->m->value_col])
			return 0;	/* NULL (say sum() of no rows): no sample */
		c->bad = "its value column is not a number";
		return -EINVAL;
	}
	for (i = 0; i < cnt; i++) {
		if (i == c->m->value_col || !texts[i])
			continue;
		sb_printf(b, "%s%s=\"", labels++ ? "," : "{", names[i]);
		put_escaped(b, texts[i], true);
		sb_putc(b, '"');
	}
	if (labels)
		sb_putc(b, '}');
	sb_putc(b, ' ');
	put_value(b, nums[c->m->value_col]);
	sb_putc(b, '\n');
	return b->s ? 0 : -ENOMEM;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Run m's query (under run_lock) into its shared result. */
static void run_metric(struct bd_metrics *ms, struct metric *m)
{
	struct bd_strbuf b = {};
	struct collect c = { .m = m, .out = &b };
	char *why = NULL;
	double t0;
	long n;

	sb_puts(&b, "", 0);
	pthread_mutex_lock(&ms->run_lock);
	t0 = now_s();
	n = bd_sql_prep_run(m->prep, m->timeout_ms, add_row, &c);
	if (n < 0 && !(why = strdup(c.bad ?: bd_errmsg()[0] ? bd_errmsg() : strerror(-n))))
		why = NULL;
	if (n >= 0 && !b.s)
		n = -ENOMEM;
	pthread_mutex_unlock(&ms->run_lock);

	pthread_mutex_lock(&m->lock);
	m->seconds = now_s() - t0;
	m->ok = n >= 0;
	if (m->ok) {
		sb_free(&m->series);
		m->series = b;
		b.s = NULL;
		free(m->last_err);
		m->last_err = NULL;
	} else {
		m->errors++;
		/* said once per distinct failure, not at every scrape */
		if (why && !ms->starting && (!m->last_err || strcmp(m->last_err, why)))
			bd_log(ms->d, BPFDUMP_WARN, "metric %s: %s", m->name, why);
		free(m->last_err);
		m->last_err = why;
		why = NULL;
	}
	m->gen++;
	m->running = false;
	pthread_cond_broadcast(&m->done);
	pthread_mutex_unlock(&m->lock);
	sb_free(&b);
	free(why);
}

/* Run m, or wait for the run in flight; m->lock held on return. */
static void collect_metric(struct bd_metrics *ms, struct metric *m)
{
	pthread_mutex_lock(&m->lock);
	if (m->running) {
		unsigned long gen = m->gen;

		while (m->gen == gen)
			pthread_cond_wait(&m->done, &m->lock);
		return;
	}
	m->running = true;
	pthread_mutex_unlock(&m->lock);
	run_metric(ms, m);
	pthread_mutex_lock(&m->lock);
}

/* ---- the page ---- */

static void put_family(struct bd_strbuf *b, const char *name, const char *help,
		       enum metric_type type, bool om)
{
	static const char *const types[] = { "gauge", "counter", "untyped" };
	size_t len = strlen(name);

	/* OpenMetrics names a counter's family without its samples' _total */
	if (om && type == MT_COUNTER && has_total(name))
		len -= 6;
	sb_printf(b, "# HELP %.*s ", (int)len, name);
	put_escaped(b, help, om);
	sb_printf(b, "\n# TYPE %.*s %s\n", (int)len, name,
		  om && type == MT_UNTYPED ? "unknown" : types[type]);
}


int bd_metrics__render(struct bd_metrics *ms, bool om, char **out, size_t *len)
{
	struct bd_strbuf b = {};
	int i, failed = 0;

	for (i = 0; i < ms->cnt; i++) {
		struct metric *m = &ms->m[i];
		const char *p, *e;

		collect_metric(ms, m);
		if (!m->ok) {
			failed++;
			pthread_mutex_unlock(&m->lock);
			continue;
		}
		put_family(&b, m->name, m->help, m->type, om);
		for (p = m->series.s; p && *p; p = e + 1) {
			e = strchr(p, '\n');
			sb_puts(&b, m->name, strlen(m->name));
			sb_puts(&b, p, e - p + 1);
		}
		pthread_mutex_unlock(&m->lock);
	}
	put_family(&b, "bpfdump_query_errors_total", "Runs of a metric's query that failed.",
		   MT_COUNTER, om);
	for (i = 0; i < ms->cnt; i++) {
		pthread_mutex_lock(&ms->m[i].lock);
		sb_printf(&b, "bpfdump_query_errors_total{metric=\"%s\"} %lu\n", ms->m[i].name,
			  ms->m[i].errors);
		pthread_mutex_unlock(&ms->m[i].lock);
	}
	put_family(&b, "bpfdump_query_duration_seconds", "Time the last run of a metric's "
		   "query took.", MT_GAUGE, om);
	for (i = 0; i < ms->cnt; i++) {
		pthread_mutex_lock(&ms->m[i].lock);
		sb_printf(&b, "bpfdump_query_duration_seconds{metric=\"%s\"} ", ms->m[i].name);
		put_value(&b, ms->m[i].seconds);
		sb_putc(&b, '\n');
		pthread_mutex_unlock(&ms->m[i].lock);
	}
	if (om)
		sb_puts(&b, "# EOF\n", 6);
	if (!b.s)
		return -ENOMEM;
	*out = b.s;
	*len = b.len;
	return failed;
}

/* ---- start ---- */

/* Prepare m's query and check its columns: a valid, distinct label name each. */
static int prepare_metric(struct bd_metrics *ms, const char *path, struct metric *m)
{
	struct bpfdump *d = ms->d;
	const char *short_name = m->name + strlen(METRIC_PREFIX);
	int i, j, cnt, err;

	m->prep = bd_sql_prep_new(d, m->query, true);
	if (!m->prep) {
		char why[BD_ERRMSG_MAX];

		err = -errno;
		snprintf(why, sizeof(why), "%s", bd_errmsg()[0] ? bd_errmsg() : strerror(-err));
		return bd_err(d, err, "%s:%d: metric [%s]: query does not compile: %s", path,
			      m->line, short_name, why);
	}
	cnt = bd_sql_prep_column_cnt(m->prep);
	if (!cnt)
		return bd_err(d, -EINVAL, "%s:%d: metric [%s]: the query gives no column", path,
			      m->line, short_name);
	m->value_col = cnt - 1;
	for (i = 0; i < cnt; i++)
		if (!strcasecmp(bd_sql_prep_column_name(m->prep, i), "value"))
			m->value_col = i;
	for (i = 0; i < cnt; i++) {
		const char *n = bd_sql_prep_column_name(m->prep, i);

		if (i == m->value_col)
			continue;
		if (!valid_name(n, false) || !strncmp(n, "__", 2))
			return bd_err(d, -EINVAL, "%s:%d: metric [%s]: column '%s' is not a label "
				      "name ([a-zA-Z_][a-zA-Z0-9_]*, not __...): name it with AS",
				      path, m->line, short_name, n);
		for (j = 0; j < i; j++)
			if (j != m->value_col && !strcmp(n, bd_sql_prep_column_name(m->prep, j)))
				return bd_err(d, -EINVAL, "%s:%d: metric [%s]: two columns named "
					      "'%s'", path, m->line, short_name, n);
	}
	return 0;
}

struct bd_metrics *bd_metrics__load(struct bpfdump *d, const char *path)
{
	struct bd_metrics *ms;
	FILE *f;
	int err, i;

	ms = calloc(1, sizeof(*ms));
	if (!ms) {
		errno = ENOMEM;
		return NULL;
	}
	ms->d = d;
	pthread_mutex_init(&ms->run_lock, NULL);
	bd_errmsg()[0] = '\0';
	f = fopen(path, "re");
	if (!f) {
		err = bd_err(d, -errno, "%s: cannot open: %s", path, strerror(errno));
		goto err_free;
	}
	err = parse_config(ms, path, f);
	fclose(f);
	if (err)
		goto err_free;
	for (i = 0; i < ms->cnt; i++) {
		err = prepare_metric(ms, path, &ms->m[i]);
		if (err)
			goto err_free;
	}
	/* a first run loads the programs; one that fails, other than by its timeout, stops */
	ms->starting = true;
	for (i = 0; i < ms->cnt; i++) {
		struct metric *m = &ms->m[i];

		m->running = true;
		run_metric(ms, m);
		if (!m->ok && m->last_err && !strstr(m->last_err, "interrupted after its timeout")) {
			err = bd_err(d, -EINVAL, "%s:%d: metric [%s]: %s", path, m->line,
				     m->name + strlen(METRIC_PREFIX), m->last_err);
			goto err_free;
		}
		if (!m->ok)
			bd_log(d, BPFDUMP_WARN, "metric %s: %s", m->name, m->last_err);
	}
	ms->starting = false;
	return ms;

err_free:
	bd_metrics__free(ms);
	errno = -err;
	return NULL;
}
