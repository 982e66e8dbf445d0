#!/usr/bin/python3
# trace_agg.sh: sends N UDP datagrams to a 127.0.0.1 port no socket has (one bound
# and closed first), each dropped by the kernel with SKB_DROP_REASON_NO_SOCKET
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
s.close()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(int(sys.argv[1])):
    s.sendto(b"x", ("127.0.0.1", port))
