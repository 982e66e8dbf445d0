// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* bpfdump serve --config FILE: the config's metrics on /metrics, for Prometheus. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"
#include "metrics.h"
#include "mhd.h"

#define SERVE_DEFAULT_ADDR "127.0.0.1"
#define SERVE_DEFAULT_PORT 9435
#define SERVE_MAX_CONNS 64
#define SERVE_THREADS 4
#define SERVE_CONN_TIMEOUT_S 10
#define SERVE_CONN_MEMORY (32 * 1024)	/* request line and headers of one connection */

#define CT_TEXT "text/plain; version=0.0.4; charset=utf-8"
#define CT_OM "application/openmetrics-text; version=1.0.0; charset=utf-8"

void help_serve(void)
{
	printf("Usage: bpfdump serve --config FILE [--listen ADDR:PORT]\n\n"
	       "Serve the metrics of FILE (one SQL query each, see bpfdump-serve(8)) on\n"
	       "http://ADDR:PORT/metrics in Prometheus's text format (OpenMetrics when the\n"
	       "scraper asks for it). Queries are prepared and their programs loaded once,\n"
	       "at start; each scrape runs them.\n\n"
	       "Options:\n"
	       "  -c, --config FILE        the metrics: [name] sections of help, type, query,\n"
	       "                           timeout\n"
	       "  -l, --listen ADDR:PORT   where to listen (default " SERVE_DEFAULT_ADDR
	       ":%d; IPv6 as [ADDR]:PORT)\n"
	       "  -h, --help               this help\n", SERVE_DEFAULT_PORT);
}

/* ADDR:PORT, [ADDR]:PORT or :PORT (loopback) into sa. */
static int parse_listen(const char *s, struct sockaddr_storage *sa, socklen_t *len)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)sa;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)sa;
	char host[128];
	const char *colon;
	char *end;
	long port;

	memset(sa, 0, sizeof(*sa));
	if (s[0] == '[') {
		const char *e = strchr(s, ']');

		if (!e || e[1] != ':' || e - s - 1 >= (long)sizeof(host))
			return -EINVAL;
		snprintf(host, sizeof(host), "%.*s", (int)(e - s - 1), s + 1);
		colon = e + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || colon - s >= (long)sizeof(host))
			return -EINVAL;
		snprintf(host, sizeof(host), "%.*s", (int)(colon - s), s);
		if (!host[0])
			snprintf(host, sizeof(host), SERVE_DEFAULT_ADDR);
	}
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || port < 1 || port > 65535)
		return -EINVAL;
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(port);
		*len = sizeof(*in4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		*len = sizeof(*in6);
		return 0;
	}
	return -EINVAL;
}

/* libmicrohttpd's functions, loaded when serve starts */
static const struct mhd_lib *mhd_fn;

static enum MHD_Result respond_text(struct MHD_Connection *conn, unsigned int status,
				    const char *text, const char *allow)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = mhd_fn->create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	mhd_fn->add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	if (allow)
		mhd_fn->add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	ret = mhd_fn->queue_response(conn, status, r);
	mhd_fn->destroy_response(r);
	return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_data_size, void **con_cls)
{
	struct bd_metrics *ms = cls;
	struct MHD_Response *r;
	const char *accept;
	enum MHD_Result ret;
	bool om;
	char *page;
	size_t len;
	int err;

	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return respond_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "GET or HEAD only\n",
				    "GET, HEAD");
	if (*upload_data_size) {	/* a body on a GET: not read */
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (strcmp(url, "/metrics"))
		return respond_text(conn, MHD_HTTP_NOT_FOUND, "not found: the metrics are on "
				    "/metrics\n", NULL);
	accept = mhd_fn->lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
	om = accept && strstr(accept, "application/openmetrics-text");
	err = bd_metrics__render(ms, om, &page, &len);
	if (err < 0)
		return respond_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n",
				    NULL);
	r = mhd_fn->create_response_from_buffer(len, page, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(page);
		return MHD_NO;
	}
	mhd_fn->add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, om ? CT_OM : CT_TEXT);
	ret = mhd_fn->queue_response(conn, MHD_HTTP_OK, r);
	mhd_fn->destroy_response(r);
	return ret;
}

/* Our own listening socket: a port in use is then a message, not MHD's NULL. */
static int open_listener(const char *what, const struct sockaddr_storage *sa, socklen_t len)
{
	int fd, one = 1, err;

	fd = socket(sa->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)sa, len) || listen(fd, SERVE_MAX_CONNS)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "listen", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *config = NULL, *listen_at = NULL;
	char def_listen[32];
	struct sockaddr_storage sa;
	socklen_t salen;
	struct bd_metrics *ms = NULL;
	struct MHD_Daemon *mhd;
	struct bpfdump *d;
	sigset_t stop;
	int opt, fd, sig, err = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "c:l:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config = optarg;
			break;
		case 'l':
			listen_at = optarg;
			break;
		case 'h':
			help_serve();
			return 0;
		default:
			return bad_option("serve", argv);
		}
	}
	if (optind != argc)
		return usage_err("serve", "unexpected '%s'", argv[optind]);
	if (!config)
		return usage_err("serve", "missing --config FILE");
	snprintf(def_listen, sizeof(def_listen), SERVE_DEFAULT_ADDR ":%d", SERVE_DEFAULT_PORT);
	if (!listen_at)
		listen_at = def_listen;
	if (parse_listen(listen_at, &sa, &salen))
		return usage_err("serve", "--listen '%s': ADDR:PORT, [ADDR]:PORT or :PORT, with a "
				 "numeric address and a port 1-65535", listen_at);
	if (cli_need_root("serve"))
		return 1;
	mhd_fn = mhd_lib_load();
	if (!mhd_fn)
		return 1;
	/* one heap for the pool's threads: per-thread arenas keep what a burst of
	 * scrapes freed (RSS that grows burst after burst) */
	mallopt(M_ARENA_MAX, 1);
	/* a fixed threshold: a large row buffer is always mapped and unmapped, rather
	 * than glibc raising the threshold and keeping such buffers in the heap */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	fd = open_listener(listen_at, &sa, salen);
	if (fd < 0)
		return run_err("serve: cannot listen on %s: %s", listen_at, strerror(-fd));
	d = cli_open();
	if (!d) {
		close(fd);
		return 1;
	}
	ms = bd_metrics__load(d, config);
	if (!ms) {
		err = run_err("%s", bpfdump__errmsg(d)[0] ? bpfdump__errmsg(d) : strerror(errno));
		goto free_ctx;
	}
	/* the server's threads inherit the mask: only this thread takes the signals */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* a fixed pool of threads rather than one per connection: a burst of scrapes
	 * leaves no stacks or heaps behind, and they share the queries' runs anyway */
	mhd = mhd_fn->start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO, 0, NULL, NULL,
			       handle, ms,
			       MHD_OPTION_LISTEN_SOCKET, fd,
			       MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)SERVE_THREADS,
			       MHD_OPTION_CONNECTION_LIMIT, (unsigned int)SERVE_MAX_CONNS,
			       MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)SERVE_CONN_TIMEOUT_S,
			       MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)SERVE_CONN_MEMORY,
			       MHD_OPTION_END);
	if (!mhd) {
		close(fd);
		err = run_err("serve: cannot start the HTTP server on %s", listen_at);
		goto free_metrics;
	}
	if (env.verbose)
		fprintf(stderr, "bpfdump: serving %d metrics on http://%s/metrics\n",
			bd_metrics__count(ms), listen_at);
	while (sigwait(&stop, &sig))
		;
	mhd_fn->stop_daemon(mhd);	/* joins the connection threads; closes fd */
free_metrics:
	bd_metrics__free(ms);
free_ctx:
	bpfdump__free(d);
	return err;
}
