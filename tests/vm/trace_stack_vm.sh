#!/usr/bin/env bash
# trace --stack in the VM: what the host cannot run, fentry/kprobe stacks of a traced
# function and kernel.kptr_restrict=2 (the guest's own kernel may be changed); the
# tracepoint checks run on the host (tests/integration/trace_stack.sh).
TRACE_STACK_VM_ONLY=1 exec bash "$(dirname "$0")/../integration/trace_stack.sh"
