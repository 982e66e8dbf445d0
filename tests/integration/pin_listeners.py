#!/usr/bin/python3
# pin.sh: listeners on 127.0.0.1 and ::1; prints their ports
import socket,time
s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(); print(s.getsockname()[1], flush=True)
s6=socket.socket(socket.AF_INET6); s6.bind(("::1",0)); s6.listen(); print(s6.getsockname()[1], flush=True)
time.sleep(120)
