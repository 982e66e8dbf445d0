#!/usr/bin/env bash
# bpfdump-exporter.service under a real systemd, in the VM. The guest's PID 1 is
# shared/vm's busybox init, not systemd, so systemd 252 runs here as PID 1 of a new PID
# and mount namespace (unshare, as a container manager would start it), on a target that
# needs only the unit. The unit is the one make install and the .deb ship, its @BINDIR@
# set to this build's directory, plus one drop-in, DefaultDependencies=no (no
# sysinit.target is booted here). Checks: systemd starts it; /metrics counts the
# listening sockets ss counts; the process has exactly the unit's capability bounding
# set, no new privileges and a seccomp filter; systemctl stop ends it and frees the BPF
# programs it held.
source "$(dirname "$0")/../lib.sh"
TEST_NAME=exporter-unit-vm
UNIT_SRC=$PWD/debian/bpfdump-exporter.service
SD=/lib/systemd/systemd

if [ "${VM_GUEST:-0}" != 1 ]; then
	skip "runs in shared/vm only (tests/vm/run.sh): it starts its own systemd"
	exit 0
fi
if [ ! -x $SD ] || ! command -v unshare nsenter systemctl ss bpftool >/dev/null; then
	skip "no systemd, unshare, nsenter, ss or bpftool in the guest"
	exit 0
fi
if [ "$(cat /proc/1/comm)" = systemd ]; then
	skip "the guest's PID 1 is systemd already: this test starts its own in a namespace"
	exit 0
fi
nprogs() { bpftool prog show 2>/dev/null | grep -c '^[0-9]'; }
progs0=$(nprogs)

start_held || { fail "the listening socket holder did not start"; exit 0; }
# the guest's files go at power-off; the tests after this one must not see a systemd
[ -e /run/systemd ] || at_exit "rm -rf /run/systemd"
[ -e /etc/bpfdump ] || at_exit "rm -rf /etc/bpfdump"
mkdir -p /etc/bpfdump /run/systemd/system/bpfdump-exporter.service.d
cat >/etc/bpfdump/exporter.conf <<'EOF'
[tcp_sockets]
help  = TCP sockets by state
query = SELECT state, count(*) AS value FROM tcp GROUP BY state
EOF
sed "s#@BINDIR@#$(dirname "$BPFDUMP")#" "$UNIT_SRC" >/run/systemd/system/bpfdump-exporter.service
printf '[Unit]\nDefaultDependencies=no\n' >/run/systemd/system/bpfdump-exporter.service.d/vm.conf
printf '[Unit]\nDescription=bpfdump exporter test\nDefaultDependencies=no\nRequires=bpfdump-exporter.service\nAfter=bpfdump-exporter.service\n' \
	>/run/systemd/system/bpfdump-vm.target

unshare --pid --fork --mount-proc env container=bpfdump-vm $SD --system \
	--unit=bpfdump-vm.target --log-target=console >"$TMP/systemd.log" 2>&1 &
UNSHARE=$!
disown "$UNSHARE"	# no "Killed" job notice from bash when at_exit ends it
at_exit "kill -KILL $UNSHARE"
for _ in $(seq 100); do
	SDPID=$(pgrep -P $UNSHARE | head -1)
	[ -n "$SDPID" ] && break
	sleep 0.1
done
at_exit "kill -KILL $SDPID"	# the namespace's PID 1: its death ends every process in it
# -r -w: the target's root (the guest runs chrooted in its overlay: setns alone would put
# nsenter at the mount namespace's root, the initramfs)
sdctl() { timeout 60 nsenter -t "$SDPID" -m -p -r -w systemctl "$@"; }
page() {
	/usr/bin/python3 "$PYDIR/exporter_unit_vm_page.py"
}

# up to 120 s (a hang detector: systemd starts under TCG emulation here)
for i in $(seq 240); do
	page >"$TMP/page" 2>/dev/null && break
	sleep 0.5
done
if ! grep -q '^bpfdump_tcp_sockets' "$TMP/page"; then
	fail "systemd did not start bpfdump-exporter.service: $(sdctl status --no-pager bpfdump-exporter.service 2>&1 | tail -5 | tr '\n' ' ')"
	exit 0
fi
expect_eq "systemctl is-active bpfdump-exporter.service (started by a systemd in $((i / 2)) s)" \
	active "$(sdctl is-active bpfdump-exporter.service 2>&1)"

# ground truth: ss's listening sockets, read before and after one more scrape
for _ in 1 2 3; do
	before=$(ss -Htln | wc -l)
	page >"$TMP/page" 2>/dev/null
	after=$(ss -Htln | wc -l)
	[ "$before" = "$after" ] && break
done
expect_eq "/metrics: bpfdump_tcp_sockets{state=\"LISTEN\"} = ss -tln's count (the held socket and the exporter's)" \
	"$before" "$(sed -n 's/^bpfdump_tcp_sockets{state="LISTEN"} //p' "$TMP/page")"

# the process systemd started: the unit's capabilities, no new privileges, seccomp
pid=$(sdctl show -p MainPID --value bpfdump-exporter.service 2>/dev/null)
# MainPID is the pid in systemd's namespace: find it in ours by its command line
opid=$(pgrep -f '^[^ ]*/bpfdump serve --config /etc/bpfdump/exporter.conf' | head -1)
if [ -z "$opid" ] || [ -z "$pid" ] || [ "$pid" = 0 ]; then
	fail "no MainPID ($pid) or no bpfdump serve process ($opid)"
	exit 0
fi
want=0
for c in $(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT_SRC"); do
	n=$(awk -v c="$c" '$1 == "#define" && $2 == c { print $3 }' /usr/include/linux/capability.h)
	[ -n "$n" ] && want=$((want | (1 << n)))
done
want=$(printf '%016x' $want)
expect_eq "CapBnd and CapEff = the unit's CapabilityBoundingSet ($(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT_SRC"))" \
	"$want $want" "$(awk '/^CapBnd:/ { b = $2 } /^CapEff:/ { e = $2 } END { print b, e }' "/proc/$opid/status")"
expect_eq "NoNewPrivs 1, Seccomp 2 (a filter: SystemCallArchitectures, MemoryDenyWriteExecute, ...)" \
	"1 2" "$(awk '/^NoNewPrivs:/ { n = $2 } /^Seccomp:/ { s = $2 } END { print n, s }' "/proc/$opid/status")"
check "the exporter's /tmp is its own (PrivateTmp=yes)" \
	test "$(stat -L -c %d:%i /proc/$opid/root/tmp)" != "$(stat -c %d:%i /tmp)"

sdctl stop bpfdump-exporter.service >/dev/null 2>&1
for _ in $(seq 100); do kill -0 "$opid" 2>/dev/null || break; sleep 0.1; done
check "systemctl stop: the exporter is gone" bash -c "! kill -0 $opid 2>/dev/null"
for _ in $(seq 50); do [ "$(nprogs)" = "$progs0" ] && break; sleep 0.1; done
expect_eq "after the stop, the BPF programs are those before the start" "$progs0" "$(nprogs)"
