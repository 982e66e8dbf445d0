#!/usr/bin/python3
# sql_owners.sh: a process with TCP (IPv4, IPv6), UDP and unix sockets and a child; their ports in DIR/ports
import os, socket, sys, time
d = sys.argv[1]
lsn = socket.socket(); lsn.bind(("127.0.0.1", 0)); lsn.listen(8)
try:
    lsn6 = socket.socket(socket.AF_INET6); lsn6.bind(("::1", 0)); lsn6.listen(8)
    port6 = lsn6.getsockname()[1]
except OSError:
    port6 = 0
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); udp.bind(("127.0.0.1", 0))
cli = socket.create_connection(lsn.getsockname()); acc, _ = lsn.accept()
ux = socket.socket(socket.AF_UNIX); ux.bind(d + "/ux.sock"); ux.listen(1)
child = os.fork()
if child == 0:
    time.sleep(600)
    os._exit(0)
open(d + "/ports.tmp", "w").write("%d %d %d %d %d\n" % (lsn.getsockname()[1], port6,
    udp.getsockname()[1], cli.getsockname()[1], child))
os.rename(d + "/ports.tmp", d + "/ports")
time.sleep(600)
