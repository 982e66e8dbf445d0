// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Loaded queries of a mount, kept for the next reader: loading (plan, codegen, the
 * verifier) is the expensive part of a dump; running a loaded query is an attach and
 * a read. Entries are keyed by everything that makes the program (target, columns,
 * predicate, cgroup, a view's cgroup scope), so a changed view misses and is built
 * anew, and the old entry ages out. At most BD_CACHE_MAX entries are kept; the least
 * recently used one that no reader holds is freed first.
 *
 * Locking: 'lock' guards the table; 'build' serializes bpfdump_query__new (one build of
 * a key even when many readers open it at once; an error message is the thread's own,
 * log.c). Running a query is not serialized: each reader
 * attaches its own link and reads its own iterator; the per-thread record buffer is a
 * task-storage map.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pin.h"
#include "view_int.h"

struct bd_cache_ent {
	char *key;
	struct bpfdump_query *q;
	int refs;
	unsigned long used;	/* tick of the last get */
};

struct bd_cache {
	struct bpfdump *d;
	pthread_mutex_t lock, build;
	struct bd_cache_ent ents[BD_CACHE_MAX * 2];
	int cnt;
	unsigned long tick;
};

struct bd_cache *bd_cache__new(struct bpfdump *d)
{
	struct bd_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->d = d;
	pthread_mutex_init(&c->lock, NULL);
	pthread_mutex_init(&c->build, NULL);
	return c;
}

void bd_cache__free(struct bd_cache *c)
{
	int i;

	if (!c)
		return;
	for (i = 0; i < c->cnt; i++) {
		bpfdump_query__free(c->ents[i].q);
		free(c->ents[i].key);
	}
	pthread_mutex_destroy(&c->lock);
	pthread_mutex_destroy(&c->build);
	free(c);
}

static char *make_key(const struct bpfdump_query_opts *o, const char *scope)
{
	char *k;

	if (asprintf(&k, "%s\x1f%s\x1f%s\x1f%s\x1f%d\x1f%s\x1f%s", o->target,
		     o->columns ? o->columns : "", o->where ? o->where : "",
		     o->cgroup ? o->cgroup : "", o->order, o->pidns ? o->pidns : "",
		     scope ? scope : "") < 0)
		return NULL;
	return k;
}

/* Under lock. */
static struct bd_cache_ent *find(struct bd_cache *c, const char *key)
{
	int i;

	for (i = 0; i < c->cnt; i++)
		if (!strcmp(c->ents[i].key, key))
			return &c->ents[i];
	return NULL;
}

/* Under lock: free the least recently used unheld entries beyond the limit. */
static void evict(struct bd_cache *c)
{
	while (c->cnt >= BD_CACHE_MAX) {
		int i, lru = -1;

		for (i = 0; i < c->cnt; i++)
			if (!c->ents[i].refs && (lru < 0 || c->ents[i].used < c->ents[lru].used))
				lru = i;
		if (lru < 0)
			return;
		bpfdump_query__free(c->ents[lru].q);
		free(c->ents[lru].key);
		c->ents[lru] = c->ents[--c->cnt];
	}
}

/* Under no lock: a held reference to the entry of key, or NULL. */
static struct bpfdump_query *lookup(struct bd_cache *c, const char *key)
{
	struct bpfdump_query *q = NULL;
	struct bd_cache_ent *e;

	pthread_mutex_lock(&c->lock);
	e = find(c, key);
	if (e) {
		e->refs++;
		e->used = ++c->tick;
		q = e->q;
	}
	pthread_mutex_unlock(&c->lock);
	return q;
}

struct bpfdump_query *bd_cache__get(struct bd_cache *c, const struct bpfdump_query_opts *o,
				    const char *scope, char *msg, size_t msg_len)
{
	struct bpfdump_query *q;
	struct bd_cache_ent *e;
	char *key = make_key(o, scope);
	int err = 0;

	if (!key) {
		snprintf(msg, msg_len, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	q = lookup(c, key);
	if (q)
		goto out_free;
	pthread_mutex_lock(&c->build);
	q = lookup(c, key);	/* built by the reader we waited for */
	if (q)
		goto out;
	q = scope ? bd_query_new_scoped(c->d, o, scope) : bpfdump_query__new(c->d, o);
	if (!q) {
		err = -errno;
		snprintf(msg, msg_len, "%s", bpfdump__errmsg(c->d));
		goto out;
	}
	bd_log(c->d, BPFDUMP_DEBUG, "views: loaded a query of target '%s'", o->target);
	pthread_mutex_lock(&c->lock);
	evict(c);
	if (c->cnt < (int)(sizeof(c->ents) / sizeof(c->ents[0]))) {
		e = &c->ents[c->cnt++];
		e->key = key;
		e->q = q;
		e->refs = 1;
		e->used = ++c->tick;
		key = NULL;
	} else {
		/* every slot held by a reader: this one is not kept */
		err = -EBUSY;
	}
	pthread_mutex_unlock(&c->lock);
	if (err) {
		bpfdump_query__free(q);
		q = NULL;
		snprintf(msg, msg_len, "too many queries open at once");
	}
out:
	pthread_mutex_unlock(&c->build);
out_free:
	free(key);
	if (!q)
		errno = -err;
	return q;
}

void bd_cache__put(struct bd_cache *c, struct bpfdump_query *q)
{
	int i;

	if (!q)
		return;
	pthread_mutex_lock(&c->lock);
	for (i = 0; i < c->cnt; i++) {
		if (c->ents[i].q == q) {
			c->ents[i].refs--;
			break;
		}
	}
	pthread_mutex_unlock(&c->lock);
}

/* The message that goes with a failed run. Runs are not serialized, so when two fail at
 * once the message may be the other one's; the error code is always this run's. */
static void run_msg(struct bd_cache *c, long ret, char *msg, size_t msg_len)
{
	const char *m = bpfdump__errmsg(c->d);

	snprintf(msg, msg_len, "%s", *m ? m : strerror((int)-ret));
}

long bd_cache__print(struct bd_cache *c, struct bpfdump_query *q, FILE *out,
		     const struct bpfdump_print_opts *po, char *msg, size_t msg_len)
{
	long ret = bpfdump_query__print(q, out, po);

	if (ret < 0)
		run_msg(c, ret, msg, msg_len);
	return ret;
}

long bd_cache__cat(struct bd_cache *c, int pin_fd, const char *path, FILE *out,
		   const struct bpfdump_print_opts *po, char *msg, size_t msg_len)
{
	long ret = bd_dumper_cat(c->d, pin_fd, path, out, po);

	if (ret < 0)
		run_msg(c, ret, msg, msg_len);
	return ret;
}
