#!/usr/bin/python3
# ns_files.sh: a TCP listener on a port the kernel picks, written to FILE
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
open(sys.argv[1], "w").write("%d\n" % s.getsockname()[1]); time.sleep(300)
