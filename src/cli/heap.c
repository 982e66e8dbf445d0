// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The command's heap: one region advised for transparent huge pages.
 *
 * Every command starts by copying the kernel's BTF (megabytes) into memory it
 * has never touched, and big dumps fill buffers of their own. On a virtual
 * machine, each first touch of a 4 KiB page is an exit to the hypervisor, and
 * those faults were most of a short command's time (bench/README.md, "Measurements behind design choices").
 * With huge pages one fault maps 2 MiB.
 *
 * glibc (2.35+) does this itself under GLIBC_TUNABLES=glibc.malloc.hugetlb=1,
 * which is read at exec; a program cannot set it for itself. So: allocations
 * below 64 MiB come from the brk heap, which grows once by a 32 MiB pad that is
 * advised MADV_HUGEPAGE, and freed memory stays for the next allocation. Where
 * THP is off ("never"), madvise fails and nothing changes. Only the CLI does
 * this: the library leaves its caller's allocator alone.
 */
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli.h"

#define HEAP_PAD	(32u << 20)
#define HUGE_PAGE	(2ul << 20)

/* Kept where the compiler sees it used: a malloc whose result is dropped is
 * removed, and with it the head block: the command's memory would then come from
 * the unadvised start of the heap, in 4 KiB pages. */
static void *volatile heap_head;

/* Bigger than what the heap has free before main (libraries and stdio allocate
 * first), so that allocating it grows the heap, by the pad. */
#define HEAP_GROW	(1u << 20)

void cli_heap_init(void)
{
	uintptr_t start, end;
	void *p;

	if (!mallopt(M_MMAP_THRESHOLD, 64 << 20) || !mallopt(M_TRIM_THRESHOLD, 128 << 20) ||
	    !mallopt(M_TOP_PAD, HEAP_PAD))
		return;
	p = malloc(HEAP_GROW);
	if (!p)
		return;
	/* advise the whole huge pages between p's end and the heap's end: malloc
	 * wrote the next chunk's header just past p, and a huge page a 4 KiB page
	 * is already mapped in is faulted 4 KiB at a time. Where glibc could not
	 * grow the heap, p is a mapping of its own and end lies below it. */
	start = ((uintptr_t)p + HEAP_GROW + 64 + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	end = (uintptr_t)sbrk(0) & ~(HUGE_PAGE - 1);
	if (end <= start || madvise((void *)start, end - start, MADV_HUGEPAGE)) {
		free(p);
		return;
	}
	/* the heap's head, below the first huge page, is taken by a block never
	 * touched (so never backed by memory) and never freed: what the command
	 * allocates from now on lands in huge pages */
	free(p);
	if (start - (uintptr_t)p > 4096)
		heap_head = malloc(start - (uintptr_t)p - 4096);
}
