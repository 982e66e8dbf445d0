# Count what one method listed: prints "TOTAL WORKLOAD".
#   awk -v fmt=FMT -v pids=FILE -f bench/count.awk < OUTPUT
# pids: the workload's pid file (line 1 its own pid, then its children).
# TOTAL counts the objects the method lists system-wide (fds, sockets,
# processes); WORKLOAD only those of the benchmark's workload:
#   tf_*    fds held by the workload's children
#   tcp_*   LISTEN and ESTAB sockets on 127.0.0.1
#   task_*  processes whose parent is the workload
BEGIN {
	n = 0
	if (pids != "")
		while ((getline line < pids) > 0) {
			n++
			if (n == 1)
				parent = line
			else
				child[line] = 1
		}
	total = 0
	wl = 0
}
# headers
FNR == 1 && fmt ~ /^(tf_table|tf_lsof|tcp_table|tcp_ss|task_table|task_ps)$/ { next }
fmt == "tf_table" {	# PID FD PATH (table, raw, kernel text, /proc reader)
	total++
	if ($1 in child)
		wl++
	next
}
fmt == "tf_json" {
	if (match($0, /"pid":[0-9]+/)) {
		total++
		if (substr($0, RSTART + 6, RLENGTH - 6) in child)
			wl++
	}
	next
}
fmt == "tf_lsof" {	# COMMAND PID [TID TASKCMD] USER FD ...: fd rows of processes
	if ($4 ~ /^[0-9]+[rwu ]?[a-zA-Z]?$/) {
		total++
		if ($2 in child)
			wl++
	}
	next
}
fmt == "tcp_table" {	# FAMILY STATE LADDR LPORT RADDR RPORT UID
	total++
	if ($3 == "127.0.0.1" && ($2 == "LISTEN" || $2 == "ESTAB"))
		wl++
	next
}
fmt == "tcp_ss" {	# State Recv-Q Send-Q Local:Port Peer:Port
	total++
	if ($4 ~ /^127\.0\.0\.1:/ && ($1 == "LISTEN" || $1 == "ESTAB"))
		wl++
	next
}
fmt == "tcp_proc" {	# sl local rem st ... (/proc/net/tcp and tcp6, one header each)
	if ($1 == "sl")
		next
	total++
	if ($2 ~ /^0100007F:/ && ($4 == "0A" || $4 == "01"))
		wl++
	next
}
fmt == "task_table" {	# PID TID PPID UID STATE COMM: one row per thread
	if ($1 != $2)
		next
	total++
	if ($3 == parent)
		wl++
	next
}
fmt == "task_ps" {	# PID PPID UID COMMAND STAT
	total++
	if ($2 == parent)
		wl++
	next
}
END { print total, wl }
