#!/usr/bin/python3
# ns_files.sh: exit 0 when nobody has the FIFO open for reading (a non-blocking writer's open fails)
import os, sys
try:
    os.open(sys.argv[1], os.O_WRONLY | os.O_NONBLOCK)
except OSError:
    sys.exit(0)
sys.exit(1)
