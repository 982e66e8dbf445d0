/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* bpffs helpers shared by pin.c, show.c and cat. */
#ifndef BPFDUMP_PIN_H
#define BPFDUMP_PIN_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/mount.h>

#include "internal.h"

/* PATH -> PATH@bin and PATH@meta */
int bd_twin_paths(const char *path, char *bin, char *meta, size_t len);
int bd_read_meta(const char *meta_path, char *buf, size_t len);
bool bd_meta_get(const char *meta, const char *k, char *out, size_t len);
int bd_dumper_remove(struct bpfdump *d, const char *path, bool force);
/* Print the dumper whose visible pin is pin_fd: an O_PATH fd of PATH opened by whoever
 * checked that the reader may open it (the view daemon does so as the reader). Its twins
 * are trusted only when they are root's, mode 0600, no links, and one dumper with it. */
long bd_dumper_cat(struct bpfdump *d, int pin_fd, const char *path, FILE *out,
		   const struct bpfdump_print_opts *opts);
int bd_pin_kind(const char *path, char *buf, size_t len);
int bd_mount_bpffs_if_needed(struct bpfdump *d, const char *path);
/* Call fn for every bpffs mount point in /proc/self/mounts. */
void bd_each_bpffs(void (*fn)(const char *mnt, void *ctx), void *ctx);

static inline int mount_bpffs(void)
{
	return mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0755");
}

#endif
