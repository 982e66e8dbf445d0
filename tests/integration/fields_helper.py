#!/usr/bin/python3
# fields.sh: opens /dev/null three times with O_PATH and three times without, then waits
import ctypes, os, socket, sys, threading, time
threading.Thread(target=time.sleep, args=(120,), daemon=True).start()   # a second thread
libc = ctypes.CDLL(None, use_errno=True)
# a listener on loopback with one connection accepted: its port to the test
lsn = socket.socket(); lsn.bind(("127.0.0.1", 0)); lsn.listen(4)
cli = socket.create_connection(lsn.getsockname()); acc, _ = lsn.accept()
open(sys.argv[1] + "/port", "w").write(str(lsn.getsockname()[1]))
O_PATH = 0o10000000
for i in range(6):
    flags = os.O_RDONLY | (O_PATH if i % 2 else 0)
    if libc.open(b"/dev/null", flags) < 0:
        sys.exit(1)
open(sys.argv[1] + "/ready.tmp", "w").close()
os.rename(sys.argv[1] + "/ready.tmp", sys.argv[1] + "/ready")
time.sleep(120)
