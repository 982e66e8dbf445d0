#!/usr/bin/python3
# targets.sh: three connections to a listener of our own, each closed by its client
# first while the server end stays open: the server ends sit in CLOSE-WAIT and the
# client ends, orphaned in FIN-WAIT-2, become timewait sockets whose own state is
# FIN-WAIT-2. Writes the listener's port to PORTFILE once they are, then holds.
import socket
import sys
import time

l = socket.socket()
l.bind(("127.0.0.1", 0))
l.listen(16)
held = []
for _ in range(3):
    c = socket.create_connection(("127.0.0.1", l.getsockname()[1]))
    s, _ = l.accept()
    held.append(s)
    c.close()
time.sleep(0.3)
with open(sys.argv[1], "w") as f:
    f.write("%d\n" % l.getsockname()[1])
time.sleep(600)
