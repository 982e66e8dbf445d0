#!/usr/bin/python3
# faults.sh: sockets opening and closing on 127.0.0.1 for 4 seconds, while tcp is dumped
import socket, time
end = time.time() + 4
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(128)
while time.time() < end:
	cs = [socket.create_connection(l.getsockname()) for _ in range(20)]
	ss = [l.accept()[0] for _ in cs]
	[s.close() for s in cs + ss]
