#!/usr/bin/python3
# pin.sh: a copy of an ELF object with 1-20 random bytes changed (seeded): IN OUT SEED
import random, sys
b = bytearray(open(sys.argv[1], "rb").read()); r = random.Random(int(sys.argv[3]))
for _ in range(r.randint(1, 20)):
    b[r.randrange(len(b))] = r.randrange(256)
open(sys.argv[2], "wb").write(b)
