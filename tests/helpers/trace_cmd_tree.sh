# A process tree for trace -p PID --follow (trace_cmd.sh on the host, trace_cmd_vm.sh in
# the VM): sh trace_cmd_tree.sh LOOP GO PIDS. A child (LOOP 111) and a grandchild (LOOP 333)
# are forked at once and GO.ready is written; once GO exists, a child (LOOP 222) is forked.
# Each one's "PID N" goes into PIDS, the ground truth of the counts by pid.
LOOP=$1 GO=$2 PIDS=$3
wait_go() { while [ ! -e "$GO" ]; do sleep 0.05; done; }
( wait_go; exec "$LOOP" 111 ) & echo "$! 111" >>"$PIDS"
( ( wait_go; exec "$LOOP" 333 ) & echo "$! 333" >>"$PIDS"; echo >"$GO.ready"; wait ) &
wait_go
"$LOOP" 222 & echo "$! 222" >>"$PIDS"
wait
