#!/usr/bin/python3
# task_vma.sh: a process with known mappings (shared, private, unlinked, anonymous, gaps) and a thread
import ctypes, os, sys, json, time, threading
d = sys.argv[1]
libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
PG = 4096
R, W, X = 1, 2, 4
SHARED, PRIVATE, FIXED, ANON = 1, 2, 0x10, 0x20
def mmap(addr, pages, prot, flags, fd=-1, pgoff=0):
    a = libc.mmap(addr, pages * PG, prot, flags, fd, pgoff * PG)
    if a in (None, ctypes.c_void_p(-1).value):
        raise OSError(ctypes.get_errno(), "mmap")
    return a
def mkfile(name, pages):
    fd = os.open(os.path.join(d, name), os.O_RDWR | os.O_CREAT, 0o644)
    os.write(fd, b"x" * pages * PG)
    return fd
fa, fb, fc = mkfile("data", 8), mkfile("with space", 4), mkfile("gone", 2)
base = mmap(None, 64, 0, PRIVATE | ANON)
m = {}
m["file_shared_rw"] = (mmap(base + 1 * PG, 3, R | W, SHARED | FIXED, fa, 2), 3)
m["file_private_r"] = (mmap(base + 6 * PG, 2, R, PRIVATE | FIXED, fa, 0), 2)
m["space_rx"] = (mmap(base + 10 * PG, 2, R | X, PRIVATE | FIXED, fb, 1), 2)
m["deleted_r"] = (mmap(base + 14 * PG, 1, R, SHARED | FIXED, fc, 1), 1)
m["anon_rw"] = (mmap(base + 18 * PG, 5, R | W, PRIVATE | FIXED | ANON), 5)
m["anon_shared_rw"] = (mmap(base + 26 * PG, 2, R | W, SHARED | FIXED | ANON), 2)
m["anon_r"] = (mmap(base + 30 * PG, 3, R, PRIVATE | FIXED | ANON), 3)
os.unlink(os.path.join(d, "gone"))
ctypes.memset(m["anon_rw"][0], 1, PG)  # touch it
threading.Thread(target=time.sleep, args=(120,), daemon=True).start()
with open(d + "/maps.tmp", "w") as o:
    json.dump({"base": base, "maps": {k: [a, n] for k, (a, n) in m.items()}}, o)
os.rename(d + "/maps.tmp", d + "/maps.json")
for _ in range(120):
    time.sleep(1)
