/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Metrics: SQL queries from a config file, run and written in the Prometheus
 * text exposition format (0.0.4) or OpenMetrics (metrics.c). Used by `bpfdump
 * serve` (HTTP, any thread) and `bpfdump metrics` (a textfile).
 */
#ifndef BPFDUMP_METRICS_H
#define BPFDUMP_METRICS_H

#include <stdbool.h>
#include <stddef.h>

struct bpfdump;
struct bd_metrics;

/* Parse the config at path, prepare every query and run it once (loading its
 * programs). NULL with errno set and d's message naming the file:line or metric. */
struct bd_metrics *bd_metrics__load(struct bpfdump *d, const char *path);
void bd_metrics__free(struct bd_metrics *ms);
int bd_metrics__count(const struct bd_metrics *ms);

/*
 * Run every query (a query already running for another caller is not run again:
 * this caller waits for that run and takes its result) and write the page into a
 * malloc'd *out. Thread-safe. Returns the number of metrics whose query failed
 * (their series left out), or -errno.
 */
int bd_metrics__render(struct bd_metrics *ms, bool openmetrics, char **out, size_t *len);

#endif
