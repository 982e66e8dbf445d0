#!/usr/bin/python3
# fields_funcs.sh: a listener with an accepted connection, a closed one in TIME_WAIT, anonymous memory touched
import os, socket, sys, time
buf = bytearray(8 << 20)
for i in range(0, len(buf), 4096):
    buf[i] = 1
lsn = socket.socket(); lsn.bind(("127.0.0.1", 0)); lsn.listen(4)
cli = socket.create_connection(lsn.getsockname()); acc, _ = lsn.accept()
tw = socket.create_connection(lsn.getsockname()); twa, _ = lsn.accept()
tw_port = tw.getsockname()[1]
tw.close(); time.sleep(0.2); twa.close()
open(sys.argv[1] + "/ports.tmp", "w").write("%d %d %d\n" % (lsn.getsockname()[1],
                                                            cli.getsockname()[1], tw_port))
os.rename(sys.argv[1] + "/ports.tmp", sys.argv[1] + "/ports")
time.sleep(600)
