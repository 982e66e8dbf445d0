/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libmicrohttpd, loaded when `serve` starts rather than when any command does.
 *
 * Linked into the command, libmicrohttpd brings GnuTLS and eight more shared
 * libraries that every command would map and relocate before main, serving or
 * not: about 5 ms of each start (bench/README.md, "Measurements behind design
 * choices"). The table holds the functions `serve` calls, typed by the library's
 * own header.
 */
#ifndef BPFDUMP_CLI_MHD_H
#define BPFDUMP_CLI_MHD_H

#include <sys/socket.h>
#include <microhttpd.h>

struct mhd_lib {
	typeof(MHD_start_daemon) *start_daemon;
	typeof(MHD_stop_daemon) *stop_daemon;
	typeof(MHD_create_response_from_buffer) *create_response_from_buffer;
	typeof(MHD_add_response_header) *add_response_header;
	typeof(MHD_queue_response) *queue_response;
	typeof(MHD_destroy_response) *destroy_response;
	typeof(MHD_lookup_connection_value) *lookup_connection_value;
};

/* The library's functions, loaded once; NULL, with a one-line error printed,
 * when it or one of its functions is missing. */
const struct mhd_lib *mhd_lib_load(void);

#endif
