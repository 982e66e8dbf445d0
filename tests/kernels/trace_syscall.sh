#!/usr/bin/env bash
# syscall:NAME on the running kernel (any: host or guest): tests/integration/trace_syscall.sh,
# its syscall:* check on a short list (each syscall's two programs load slowly in a TCG
# guest). Skips where the kernel has no syscall tracepoints.
cd "$(dirname "$0")/../.." || exit 1
SC_LIST='syscall:getppid,close,getpid,openat' TEST_NAME_OVERRIDE=trace_syscall \
	exec bash tests/integration/trace_syscall.sh
