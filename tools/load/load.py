#!/usr/bin/python3
"""A bounded load generator for `rawgan serve` and its peer (tools/peer/serve_peer.py), on loopback only: a fixed
number of POST /generate requests at each concurrency (default 1, 8, 64), every request a different seed, then it
stops. Prints, per concurrency, throughput (images/s) and p50/p99 latency as markdown table rows.

    /usr/bin/python3 tools/load/load.py http://127.0.0.1:8080 [--requests 256] [--concurrency 1,8,64] [--count 1] [--label NAME]
                                        [--server-pid PID]

With --server-pid, a last column gives the server process's CPU time (user + system, all its threads) per image:
on a shared, oversubscribed machine the wall-clock figures mostly measure the scheduler's share, while the CPU
time per image is what the server would need of a machine of its own.

Each worker thread keeps one HTTP/1.1 connection; a few requests warm the server up before each measurement.
"""
import argparse
import http.client
import ipaddress
import json
import os
import socket
import sys
import threading
import time
import urllib.parse


def loopback(host):
    try:
        return all(ipaddress.ip_address(a[4][0]).is_loopback for a in socket.getaddrinfo(host, None))
    except (socket.gaierror, ValueError):
        return False


def worker(host, port, bodies, latencies, errors):
    connection = http.client.HTTPConnection(host, port, timeout=120)
    for body in bodies:
        start = time.perf_counter()
        connection.request("POST", "/generate", body=body, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        latencies.append(time.perf_counter() - start)
        if response.status != 200:
            errors.append(response.status)
    connection.close()


def measure(host, port, requests, concurrency, count, first_seed):
    bodies = [json.dumps({"seed": first_seed + i, "count": count, "format": "png" if count == 1 else "grid"}) for i in range(requests)]
    shares = [bodies[i::concurrency] for i in range(concurrency)]
    latencies, errors = [], []
    threads = [threading.Thread(target=worker, args=(host, port, share, latencies, errors)) for share in shares]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    return requests * count / wall, pick(0.50), pick(0.99), len(errors)


def cpu_seconds(pid):
    """User + system CPU seconds of a process so far, all its threads, from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--requests", type=int, default=256)
    parser.add_argument("--concurrency", default="1,8,64")
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--label", default="server")
    parser.add_argument("--server-pid", type=int, help="also report this server process's CPU ms per image")
    args = parser.parse_args()
    url = urllib.parse.urlparse(args.url)
    if not loopback(url.hostname or ""):
        sys.exit(f"load.py drives loopback servers only, not {url.hostname}")
    if not 1 <= args.requests <= 100000:
        sys.exit("--requests must be from 1 to 100000")
    for c in (int(v) for v in args.concurrency.split(",")):
        measure(url.hostname, url.port, min(2 * c, args.requests), c, args.count, 1_000_000)  # warm-up
        cpu = cpu_seconds(args.server_pid) if args.server_pid else 0
        throughput, p50, p99, errors = measure(url.hostname, url.port, args.requests, c, args.count, 0)
        row = f"| {args.label} | {c} | {args.requests} | {throughput:,.0f} | {p50:.1f} | {p99:.1f} | {errors} |"
        if args.server_pid:
            row += f" {(cpu_seconds(args.server_pid) - cpu) * 1000 / (args.requests * args.count):.2f} |"
        print(row, flush=True)


if __name__ == "__main__":
    main()
