#!/usr/bin/env python3
"""Loads N mailbox entries into a MUPDATE master (Corvid or Cyrus) with pipelined ACTIVATEs, and prints the rate.

    bench/mupdate-load.py HOST:PORT N [--server NAME] [--user murder --password murder] [--window 2000]

Names are user.load<i> at NAME!default (a location no backend holds: for sizing the list and the caches, e.g.
memory per cluster node with 1M locations; remove them with --delete). Prints
    RESULT entries=N seconds=S per_s=R
"""
import argparse, base64, socket, sys, time

p = argparse.ArgumentParser()
p.add_argument("master"); p.add_argument("n", type=int)
p.add_argument("--server", default="loadtest"); p.add_argument("--user", default="murder")
p.add_argument("--password", default="murder"); p.add_argument("--window", type=int, default=2000)
p.add_argument("--delete", action="store_true")
a = p.parse_args()
host, port = a.master.rsplit(":", 1)
s = socket.create_connection((host, int(port)))
f = s.makefile("rb")
def line():
    l = f.readline()
    if not l:
        sys.exit("connection closed")
    return l.decode().rstrip("\r\n")
while not line().startswith("* OK MUPDATE"):
    pass
ir = base64.b64encode(("\0%s\0%s" % (a.user, a.password)).encode()).decode()
s.sendall(('A01 AUTHENTICATE "PLAIN" {%d+}\r\n%s\r\n' % (len(ir), ir)).encode())
r = line()
if r != 'A01 OK "Authenticated"':
    sys.exit("login refused: " + r)
start = time.time(); sent = done = failed = 0
while done < a.n:
    batch = []
    while sent < a.n and sent - done < a.window:
        name = "user.load%d" % sent
        batch.append(('D%d DELETE "%s"\r\n' % (sent, name)) if a.delete else
                     ('X%d ACTIVATE "%s" "%s!default" "%s\tlrswipkxtecda\t"\r\n' % (sent, name, a.server, "load%d" % sent)))
        sent += 1
    if batch:
        s.sendall("".join(batch).encode())
    r = line()
    if " OK " in r or " NO " in r:
        done += 1
        failed += " NO " in r
    if done % 100000 == 0 and done:
        print("%d done, %.0f/s" % (done, done / (time.time() - start)), flush=True)
el = time.time() - start
print("RESULT entries=%d failed=%d seconds=%.1f per_s=%.0f" % (a.n, failed, el, a.n / el))
