// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* libmicrohttpd by dlopen: see mhd.h. */
#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>

#include "mhd.h"

/* the library's soname, from the one the build found (Makefile) */
#ifndef MHD_SONAME
#define MHD_SONAME "libmicrohttpd.so.12"
#endif

static const struct {
	const char *name;
	size_t off;
} mhd_syms[] = {
#define MHD_SYM(fn, field) { #fn, offsetof(struct mhd_lib, field) }
	MHD_SYM(MHD_start_daemon, start_daemon),
	MHD_SYM(MHD_stop_daemon, stop_daemon),
	MHD_SYM(MHD_create_response_from_buffer, create_response_from_buffer),
	MHD_SYM(MHD_add_response_header, add_response_header),
	MHD_SYM(MHD_queue_response, queue_response),
	MHD_SYM(MHD_destroy_response, destroy_response),
	MHD_SYM(MHD_lookup_connection_value, lookup_connection_value),
#undef MHD_SYM
};

const struct mhd_lib *mhd_lib_load(void)
{
	static struct mhd_lib lib;
	static void *handle;
	size_t i;
	void *fn;

	if (handle)
		return &lib;
	handle = dlopen(MHD_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!handle) {
		fprintf(stderr, "bpfdump: serve: cannot load the HTTP library: %s "
			"(Debian: apt install libmicrohttpd12)\n", dlerror());
		return NULL;
	}
	for (i = 0; i < sizeof(mhd_syms) / sizeof(mhd_syms[0]); i++) {
		fn = dlsym(handle, mhd_syms[i].name);
		if (!fn) {
			fprintf(stderr, "bpfdump: serve: %s has no %s\n", MHD_SONAME,
				mhd_syms[i].name);
			dlclose(handle);
			handle = NULL;
			return NULL;
		}
		/* a function pointer stored through its slot's address: dlsym's
		 * void * to function pointer is what POSIX requires to work */
		*(void **)((char *)&lib + mhd_syms[i].off) = fn;
	}
	return &lib;
}
