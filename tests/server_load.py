#!/usr/bin/env python3
"""'caveat serve' beside hostile clients (issue 22): slowloris (headers a
byte at a time) from many addresses, and bodies declared large and sent a
byte at a time, while a legitimate client posts a use and asks for health.
Every legitimate request must be answered 200, and fast enough that no
slot or budget starvation hides behind the loaded machine's noise.

Loopback only: 127.0.0.0/8 gives each hostile group an address of its own.
usage: server_load.py CAVEAT CACHE_DIR TESTS_DIR [SECONDS] [--bench]
  --bench also churns connections and reports peak RSS (bench/serve_load.sh).
"""
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

caveat, cache, tests = sys.argv[1:4]
rest = [a for a in sys.argv[4:] if not a.startswith("--")]
seconds = float(rest[0]) if rest else 20
bench = "--bench" in sys.argv
policy = os.environ.get("CAVEAT_TEST_POLICY")
pin = ["--policy", policy] if policy else []

# Small limits so that the hostile clients can reach them: 96 slots, 24 an
# address, the last 16 for new addresses; 4 MiB of bodies held at once.
args = ["--threads", "2", "--max-connections", "96", "--per-address", "24",
        "--reserved-slots", "16", "--header-deadline", "4", "--request-deadline", "20",
        "--max-body", "1048576", "--body-budget", "4194304", "--min-rate", "256",
        "--rate-window", "2", "--access-log", "none"]
log = tempfile.TemporaryFile()
server = subprocess.Popen([caveat, "--cache", cache, *pin, "serve", "--listen", "127.0.0.1:0",
                           *args], stderr=log)
port = None
for _ in range(600):
    log.seek(0)
    m = re.search(rb"http://127\.0\.0\.1:(\d+)/v1/", log.read())
    if m:
        port = int(m.group(1))
        break
    time.sleep(0.1)
if not port:
    server.kill()
    sys.exit("the server did not start")

host = f"127.0.0.1:{port}"
stop = threading.Event()
with open(os.path.join(tests, "cli", "seed05.json"), "rb") as f:
    use = f.read()


def hostile(address, declared):
    """Holds up to 24 connections from address, each sending a byte a
    second: headers never finished (slowloris) or, when declared, a body
    of 1 MiB announced and dribbled.  Reopens those the server closes."""
    conns = []
    while not stop.is_set():
        while len(conns) < 24 and not stop.is_set():
            try:
                s = socket.create_connection(("127.0.0.1", port), timeout=2,
                                             source_address=(address, 0))
                head = f"POST /v1/check HTTP/1.1\r\nHost: {host}\r\n"
                if declared:
                    head += "Content-Type: application/json\r\nContent-Length: 1048576\r\n\r\n"
                s.sendall(head.encode())
                s.setblocking(False)
                conns.append(s)
            except OSError:
                break  # refused: the server's limits at work
        time.sleep(1)
        for s in conns[:]:
            try:
                s.send(b"x" if not declared else b" ")
                s.recv(4096)  # an answer (408) or EOF: the server let go
                s.close()
                conns.remove(s)
            except BlockingIOError:
                pass
            except OSError:
                s.close()
                conns.remove(s)
    for s in conns:
        s.close()


def churn():
    """Connections opened and closed at once, and requests reset half-way."""
    while not stop.is_set():
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=2,
                                         source_address=("127.0.0.40", 0))
            s.sendall(f"POST /v1/check HTTP/1.1\r\nHost: {host}\r\nContent-Type: "
                      f"application/json\r\nContent-Length: {len(use)}\r\n\r\n".encode()
                      + use[: len(use) // 2])
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
            s.close()
        except OSError:
            pass
        time.sleep(0.01)


threads = [threading.Thread(target=hostile, args=(f"127.0.0.{2 + i}", i >= 8), daemon=True)
           for i in range(12)]
if bench:
    threads.append(threading.Thread(target=churn, daemon=True))
for t in threads:
    t.start()
time.sleep(3)  # the hostile clients take their slots first

times, failures = [], []
peak_rss = 0
deadline = time.time() + seconds
n = 0
while time.time() < deadline:
    n += 1
    post = n % 2 == 0
    t0 = time.time()
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30,
                                       source_address=("127.0.0.1", 0))
        if post:
            c.request("POST", "/v1/check", body=use, headers={"Content-Type": "application/json"})
        else:
            c.request("GET", "/v1/health")
        r = c.getresponse()
        body = r.read()
        c.close()
        if r.status != 200:
            failures.append(f"{r.status} {body[:120]!r}")
        elif post:
            json.loads(body)
    except Exception as e:  # refused, reset, timed out: a failure all the same
        failures.append(f"{type(e).__name__}: {e}")
    times.append(time.time() - t0)
    if bench:
        with open(f"/proc/{server.pid}/status") as f:
            m = re.search(r"VmHWM:\s+(\d+) kB", f.read())
            peak_rss = max(peak_rss, int(m.group(1)) if m else 0)
    time.sleep(0.05)

stop.set()
server.terminate()
server.wait(timeout=60)
times.sort()
p50 = times[len(times) // 2]
p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
print(f"legitimate requests: {len(times)}, failed: {len(failures)}, "
      f"p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms")
if bench:
    print(f"server peak RSS (VmHWM): {peak_rss / 1024:.1f} MB")
for f in failures[:10]:
    print("failed:", f)
# A starved client waits for a slot (the header deadline, 4 s) or the
# budget (the rate window): 2 s at p99 leaves the loaded machine room and
# still catches either.
ok = not failures and p99 < 2.0 and len(times) >= 10
print("ok" if ok else "FAIL")
sys.exit(0 if ok else 1)
