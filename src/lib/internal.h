/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The library's internal headers, one per layer (DESIGN.md): context, btf, plan (with
 * presets and codegen's entry), format, scope, load (queries: load, attach, read).
 * A file may include just the layers it uses; this one brings them all.
 */
#ifndef BPFDUMP_INTERNAL_H
#define BPFDUMP_INTERNAL_H

#include "context.h"
#include "btf.h"
#include "plan.h"
#include "format.h"
#include "scope.h"
#include "load.h"

#endif
