// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Small helpers every layer uses (util.h). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "util.h"

int bd_grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;
	void *p;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap : 16;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return -ENOMEM;
		ncap *= 2;
	}
	if (elem && ncap > SIZE_MAX / elem)
		return -ENOMEM;
	p = realloc(*arr, ncap * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

int bd_strv_push(struct bd_strv *sv, char *s)
{
	if (!s || bd_grow((void **)&sv->v, &sv->cap, sv->n + 1, sizeof(*sv->v))) {
		free(s);
		return -ENOMEM;
	}
	sv->v[sv->n++] = s;
	return 0;
}

void bd_strv_free(struct bd_strv *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	*sv = (struct bd_strv){};
}

bool bd_opts_tail_zero(const void *opts, size_t user_sz, size_t our_sz)
{
	const char *p = opts;
	size_t i;

	for (i = our_sz; i < user_sz; i++)
		if (p[i])
			return false;
	return true;
}
