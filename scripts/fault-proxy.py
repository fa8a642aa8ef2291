#!/usr/bin/env python3
"""A fault-injecting HTTP proxy in front of a registry, for gantry's fault tests and scripts/soak.

Usage: fault-proxy.py PORT UPSTREAM_PORT RATE SEED CAP FAULTS STALL
  RATE   share of requests that get a fault (0..1), drawn from a random.Random(SEED)
  CAP    requests with a larger body get 413 (0: no cap), or with cut-large among FAULTS are
         reset after CAP bytes (as a load balancer with a request size or time limit does)
  FAULTS comma-separated: reset-request, reset-response, 500, 502, 503, 429, quota, stall,
         and the modes cut-large (see CAP) and no-patch (PATCH answered 405, as by a registry
         without chunked uploads); a mode is not drawn as a fault
  STALL  seconds a stalled answer waits before the connection is reset
GET /__stats answers what it did, by kind, and the requests it forwarded, by method.
"""
import json, random, socket, struct, sys, threading, time, http.client
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler

port, upstream, rate, seed, cap, faults, stall = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6].split(","), float(sys.argv[7])
modes = {"cut-large", "no-patch"} & set(faults)
faults = [f for f in faults if f not in modes] or [None]
rng = random.Random(seed)
lock = threading.Lock()
stats = {"requests": 0, "forwarded": 0}

def count(key):
    with lock: stats[key] = stats.get(key, 0) + 1

def pick():
    with lock:
        stats["requests"] += 1
        return rng.choice(faults) if rng.random() < rate else None

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args): pass
    def reset(self):
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True
    def answer(self, status, headers=()):
        body = b'{"errors":[{"code":"UNAVAILABLE","message":"injected"}]}'
        self.send_response(status)
        for k, v in headers: self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD": self.wfile.write(body)
    def handle_one(self):
        if self.path == "/__stats":
            body = json.dumps(stats).encode()
            self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
            return
        length = int(self.headers.get("Content-Length", "0") or 0)
        fault = pick()
        if cap and length > cap and "cut-large" in modes:
            count("cut-large")
            self.rfile.read(cap)
            self.reset()
            return
        if cap and length > cap:
            count("too-large")
            self.rfile.read(length)
            self.answer(413)
            return
        if self.command == "PATCH" and "no-patch" in modes:
            count("no-patch")
            self.rfile.read(length)
            self.answer(405)
            return
        if fault == "reset-request" and length > 0:
            count(fault)
            self.rfile.read(length // 2)
            self.reset()
            return
        body = self.rfile.read(length) if length else None
        if fault in ("500", "502", "503"):
            count(fault); self.answer(int(fault)); return
        if fault == "429":
            count(fault); self.answer(429, [("Retry-After", "1")]); return
        if fault == "quota":
            count(fault); self.answer(429, [("Retry-After", "3600")]); return
        if fault == "stall":
            count(fault); time.sleep(stall); self.reset(); return
        connection = http.client.HTTPConnection("127.0.0.1", upstream, timeout=120)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection",)}
        connection.request(self.command, self.path, body=body, headers=headers)
        response = connection.getresponse()
        count("forwarded")
        count(self.command)
        self.send_response(response.status)
        for k, v in response.getheaders():
            if k.lower() not in ("connection", "transfer-encoding"): self.send_header(k, v)
        total = int(response.getheader("Content-Length", "0") or 0)
        self.end_headers()
        if self.command == "HEAD":
            connection.close(); return
        cut = total // 2 if fault == "reset-response" and total > 0 else -1
        if cut >= 0: count(fault)
        sent = 0
        while True:
            chunk = response.read(256 * 1024)
            if not chunk: break
            if 0 <= cut < sent + len(chunk):
                self.wfile.write(chunk[:cut - sent]); self.wfile.flush(); self.reset(); connection.close(); return
            self.wfile.write(chunk); sent += len(chunk)
        connection.close()
    def do_GET(self): self.safely()
    def do_HEAD(self): self.safely()
    def do_POST(self): self.safely()
    def do_PUT(self): self.safely()
    def do_PATCH(self): self.safely()
    def do_DELETE(self): self.safely()
    def safely(self):
        try: self.handle_one()
        except (BrokenPipeError, ConnectionResetError, OSError): self.close_connection = True

class Server(ThreadingHTTPServer):
    daemon_threads = True
    def handle_error(self, request, address): pass

Server(("127.0.0.1", port), Handler).serve_forever()
