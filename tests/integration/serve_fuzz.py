#!/usr/bin/python3
# serve.sh: ---- malformed HTTP: never a crash --------------------------------------------------------------
import random, socket, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
rnd = random.Random(24)
def one(i):
    kind = i % 6
    if kind == 0:
        data = bytes(rnd.getrandbits(8) for _ in range(rnd.randint(1, 2000)))
    elif kind == 1:
        data = rnd.choice([b"GET\r\n\r\n", b"GET /metrics\r\n\r\n", b"GET /metrics HTTP/9.9\r\n\r\n",
                           b" / HTTP/1.1\r\n\r\n", b"GET /metrics HTTP/1.1\r\nHost\r\n\r\n",
                           b"\x00\x01\x02 /metrics HTTP/1.1\r\n\r\n",
                           b"GET /%00%ff/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
                           b"POST /metrics HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
                           b"GET /metrics HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"])
    elif kind == 2:   # a huge header
        data = b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + b"A" * rnd.randint(40000, 200000) + b"\r\n\r\n"
    elif kind == 3:   # many headers
        data = b"GET /metrics HTTP/1.1\r\n" + b"".join(b"H%d: v\r\n" % k for k in range(3000)) + b"\r\n"
    elif kind == 4:   # a long request line
        data = b"GET /" + b"m" * rnd.randint(10000, 100000) + b" HTTP/1.1\r\n\r\n"
    else:             # a partial request, then gone
        data = b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        s.sendall(data)
        if kind != 5:
            s.recv(4096)
    except OSError:
        pass
    s.close()
for i in range(n):
    one(i)
print("sent", n)
