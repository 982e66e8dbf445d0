#!/usr/bin/env bash
# syscall:NAME on the running kernel (any: host or guest): tests/integration/trace_syscall.sh,
# its syscall:* check on a short list and without the checks of the same code paths (a
# TCG guest loads programs slowly). Skips where the kernel has no syscall tracepoints.
cd "$(dirname "$0")/../.." || exit 1
SC_LIST='syscall:getppid,close,getpid,openat' SC_QUICK=1 \
	exec bash tests/integration/trace_syscall.sh
