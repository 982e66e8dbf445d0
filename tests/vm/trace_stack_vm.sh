#!/usr/bin/env bash
# trace --stack in the VM: the host's checks, plus fentry/kprobe stacks of a traced
# function and kernel.kptr_restrict=2 (the guest's own kernel may be changed).
exec bash "$(dirname "$0")/../integration/trace_stack.sh"
