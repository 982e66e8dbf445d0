#!/usr/bin/python3
# containers.sh: a listener, a connected pair and a bound UDP socket; their ports written to FILE
import socket, sys, time
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen()
c = socket.create_connection(l.getsockname()); a, _ = l.accept()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
open(sys.argv[1] + ".tmp", "w").write("%d %d %d\n" % (l.getsockname()[1], c.getsockname()[1], u.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(3600)
