#!/usr/bin/python3
# sql_property.sh: a process with two threads, sleeping
import time,threading
[threading.Thread(target=time.sleep, args=(3000,), daemon=True).start() for i in range(2)]
time.sleep(3000)
