#!/usr/bin/python3
# kernel_lists.sh: two NETLINK_USERSOCK sockets, the second having sent the first 100 bytes, and a NETLINK_GENERIC one
import socket, sys, os, json, time
a = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 2); a.bind((0, 0))
b = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 2); b.bind((0, 0))
b.connect((a.getsockname()[0], 0)); b.send(b"x" * 100)
g = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16); g.bind((0, 0))
with open(sys.argv[1] + ".tmp", "w") as f:
    json.dump([s.getsockname()[0] for s in (a, b, g)], f)
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
for _ in range(120):
    time.sleep(1)
