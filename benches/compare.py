#!/usr/bin/env python3
"""Side-by-side benchmark: kms-exposure and Prowler's kms_key_not_publicly_accessible on the
same emulated account, then on a recorded copy of it served with realistic latency.

Run with the Python of the Prowler venv (it has Prowler, moto and boto3):
    benches/compare.py BINARY [--keys 300] [--regions 3] [--runs 3] [--latency-ms 30]

1. moto server (a separate process, KMS key generation made cheap) is seeded with N keys in
   each of R regions: public, cross-account and private policies.
2. Plain emulator: our scan and Prowler run alternately, several times each, through a
   counting proxy; each writes OCSF. Printed: median wall time, peak RSS, API requests per
   key, findings, whether both reported the same keys, the ratio Prowler/ours. The
   emulator's own ceiling (GetKeyPolicy requests/s from a trivial 32-thread client) is
   measured and our achieved request rate is shown as a share of it.
3. Recorded account: every answer moto gave both tools is recorded by the proxy, then a
   replay server answers from memory with a fixed added latency per call, at any rate. Both
   tools run against it; printed: both times, the ratio, and ours beside the quota-bound
   limit (N / 1,000 s per region for GetKeyPolicy, regions in parallel).
"""
import argparse
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ACCOUNT = "123456789012"
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2", "eu-central-1"]
PROWLER = os.path.join(os.path.dirname(sys.executable), "prowler")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port):
    for _ in range(600):
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


# ---------------------------------------------------------------- seeding

def policy(i):
    root = {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*"}
    kind = i % 10
    if kind == 0:
        extra = [{"Sid": "Public", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*"}]
    elif kind in (1, 2):
        extra = [{"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "kms:Decrypt", "Resource": "*"}]
    elif kind in (3, 4):
        extra = [{"Sid": "ViaEBS", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*",
                  "Condition": {"StringEquals": {"kms:CallerAccount": ACCOUNT, "kms:ViaService": "ec2.us-east-1.amazonaws.com"}}}]
    else:
        extra = []
    return json.dumps({"Version": "2012-10-17", "Statement": [root, *extra]})


def seed(endpoint, regions, n):
    clients = {r: boto3.client("kms", region_name=r, endpoint_url=endpoint, aws_access_key_id="testing", aws_secret_access_key="testing") for r in regions}

    def one(job):
        region, i = job
        kid = clients[region].create_key(Policy=policy(i))["KeyMetadata"]["KeyId"]
        if i % 3 == 0:
            clients[region].create_alias(AliasName=f"alias/k{i}", TargetKeyId=kid)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(one, [(r, i) for r in regions for i in range(n)]))


# ---------------------------------------------------------------- proxy, recorder, replay

GLOBAL_ACTIONS = {"GetCallerIdentity", "DescribeRegions", "ListAccountAliases", "DescribeOrganization", "GetAccountSummary"}


def request_key(action, region, body):
    """What identifies an answer, independent of signatures and timestamps. Answers of
    account-wide calls do not depend on the region they were sent to."""
    if action in GLOBAL_ACTIONS:
        region = "*"
    try:
        data = json.loads(body) if body else {}
    except ValueError:
        data = dict(p.split("=", 1) for p in body.decode(errors="replace").split("&") if "=" in p)
        data.pop("Version", None)
    if isinstance(data, dict):
        data = {k: v for k, v in data.items() if k not in ("Limit", "MaxResults")}
    return f"{action}|{region}|{json.dumps(data, sort_keys=True)}"


def action_of(headers, body):
    target = headers.get("X-Amz-Target")
    if target:
        return target.split(".")[-1]
    m = re.search(rb"Action=([A-Za-z]+)", body or b"")
    return m.group(1).decode() if m else "other"


def region_of(headers):
    m = re.search(r"Credential=[^/]+/\d+/([a-z0-9-]+)/", headers.get("Authorization", ""))
    return m.group(1) if m else ""


class Proxy:
    """Forwards to moto, counts requests per action, records every answer."""

    def __init__(self, upstream_port):
        self.counts = {}
        self.recorded = {}
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
                action = action_of(self.headers, body)
                with proxy.lock:
                    proxy.counts[action] = proxy.counts.get(action, 0) + 1
                conn = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=120)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection", "content-length")}
                conn.request("POST", self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                ctype = resp.getheader("Content-Type", "application/x-amz-json-1.1")
                with proxy.lock:
                    proxy.recorded[request_key(action, region_of(self.headers), body)] = (resp.status, ctype, data)
                conn.close()
                self.send_response(resp.status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def reset_counts(self):
        with self.lock:
            self.counts = {}

    def stop(self):
        self.server.shutdown()


class Replay:
    """Answers from the recording, after a fixed delay, at any rate."""

    def __init__(self, recorded, latency):
        self.misses = 0
        self.missed = []
        replay = self
        self.counts = {}

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
                action = action_of(self.headers, body)
                replay.counts[action] = replay.counts.get(action, 0) + 1
                time.sleep(latency)
                key = request_key(action, region_of(self.headers), body)
                hit = recorded.get(key)
                if hit is None:
                    replay.misses += 1
                    if len(replay.missed) < 5:
                        replay.missed.append(key[:200])
                        print(f"  not recorded: {key[:200]}", file=sys.stderr)
                    hit = (400, "application/x-amz-json-1.1", json.dumps({"__type": "ValidationException", "message": "not recorded"}).encode())
                status, ctype, data = hit
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.server.request_queue_size = 512
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()


# ---------------------------------------------------------------- runs

def vm_hwm_mb(pid):
    """The process's peak resident memory so far (VmHWM), in MB; 0 once it has exited."""
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def timed(cmd, env):
    """Runs a command; returns (wall seconds, peak RSS in MB, stdout, stderr, exit code).

    The peak is the process's own VmHWM, read until it exits: `ru_maxrss` of a child would
    also count the pages of the forked Python parent before exec."""
    out = tempfile.TemporaryFile()
    err = tempfile.TemporaryFile()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=err)
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, vm_hwm_mb(proc.pid))
        time.sleep(0.01)
    wall = time.perf_counter() - start
    out.seek(0)
    err.seek(0)
    return wall, peak, out.read().decode(errors="replace"), err.read().decode(errors="replace"), proc.returncode


def base_env(endpoint):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true", "KMS_EXPOSURE_PROWLER_DISABLE": "1"})
    return env


def run_ours(binary, endpoint, regions, out, extra=()):
    cmd = [binary, "scan", "-b", "-z", "-f", *regions, "-M", "json-ocsf", "-o", out, "-F", "ours", *extra]
    wall, rss, stdout, stderr, code = timed(cmd, base_env(endpoint))
    if code != 0:
        sys.exit(f"kms-exposure failed ({code}): {stderr[-2000:]}")
    return wall, rss, json.load(open(os.path.join(out, "ours.ocsf.json")))


def run_prowler(endpoint, regions, out):
    cmd = [PROWLER, "aws", "--checks", "kms_key_not_publicly_accessible", "-f", *regions, "-M", "json-ocsf",
           "-o", out, "-F", "prowler", "--no-banner", "-z"]
    wall, rss, stdout, stderr, code = timed(cmd, base_env(endpoint))
    path = os.path.join(out, "prowler.ocsf.json")
    text = open(path).read() if os.path.exists(path) else ""
    if code not in (0, 3) or not text.strip():
        sys.exit(f"prowler failed ({code}): {stderr[-2000:]}{stdout[-2000:]}")
    return wall, rss, json.loads(text)


def keys_of(findings):
    return {f["resources"][0]["uid"] for f in findings}


def ceiling(moto_port, key_ids, region, seconds=3.0, threads=32):
    """GetKeyPolicy requests/s that moto serves to a trivial concurrent client."""
    body_for = [json.dumps({"KeyId": k, "PolicyName": "default"}).encode() for k in key_ids]
    headers = {"X-Amz-Target": "TrentService.GetKeyPolicy", "Content-Type": "application/x-amz-json-1.1",
               "Authorization": f"AWS4-HMAC-SHA256 Credential=testing/20240101/{region}/kms/aws4_request, SignedHeaders=host, Signature=0"}
    done = [0]
    stop = time.perf_counter() + seconds
    lock = threading.Lock()

    def worker(n):
        conn = http.client.HTTPConnection("127.0.0.1", moto_port, timeout=30)
        i = n
        while time.perf_counter() < stop:
            conn.request("POST", "/", body=body_for[i % len(body_for)], headers=headers)
            conn.getresponse().read()
            i += threads
            with lock:
                done[0] += 1
        conn.close()

    start = time.perf_counter()
    ts = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return done[0] / (time.perf_counter() - start)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--keys", type=int, default=300)
    ap.add_argument("--regions", type=int, default=3)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--latency-ms", type=float, default=30.0)
    args = ap.parse_args()
    regions = REGIONS[: args.regions]
    n_keys = args.keys * len(regions)

    moto_port = free_port()
    moto = subprocess.Popen([sys.executable, os.path.join(ROOT, "tests", "validators", "moto_fast.py"), "-H", "127.0.0.1", "-p", str(moto_port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_port(moto_port)
        moto_url = f"http://127.0.0.1:{moto_port}"
        t = time.perf_counter()
        seed(moto_url, regions, args.keys)
        print(f"seeded {args.keys} keys x {len(regions)} regions in {time.perf_counter() - t:.1f} s")
        proxy = Proxy(moto_port)
        wait_port(proxy.port)
        proxy_url = f"http://127.0.0.1:{proxy.port}"

        print("\n== plain emulator (moto, through a counting proxy)")
        ours, theirs = [], []
        ours_calls = theirs_calls = {}
        work = tempfile.mkdtemp(prefix="kms-exposure-bench-")
        for i in range(args.runs):
            proxy.reset_counts()
            wall, rss, of = run_ours(args.binary, proxy_url, regions, os.path.join(work, f"ours-{i}"))
            ours.append((wall, rss))
            ours_calls = dict(proxy.counts)
            proxy.reset_counts()
            wall, rss, pf = run_prowler(proxy_url, regions, os.path.join(work, f"prowler-{i}"))
            theirs.append((wall, rss))
            theirs_calls = dict(proxy.counts)
            print(f"run {i + 1}: kms-exposure {ours[-1][0]:.2f} s, Prowler {theirs[-1][0]:.2f} s")
        kms_actions = ("ListKeys", "ListAliases", "DescribeKey", "GetKeyPolicy", "ListResourceTags", "GetKeyRotationStatus", "ListGrants", "ListKeyRotations")
        ours_kms = sum(v for k, v in ours_calls.items() if k in kms_actions)
        theirs_kms = sum(v for k, v in theirs_calls.items() if k in kms_actions)
        om, pm = statistics.median(w for w, _ in ours), statistics.median(w for w, _ in theirs)
        same = keys_of(of) == keys_of(pf)
        print(f"{'':22}{'kms-exposure':>14}{'Prowler':>14}")
        print(f"{'median wall time s':22}{om:>14.2f}{pm:>14.2f}")
        print(f"{'peak RSS MB':22}{max(r for _, r in ours):>14.1f}{max(r for _, r in theirs):>14.1f}")
        print(f"{'KMS requests/key':22}{ours_kms / n_keys:>14.2f}{theirs_kms / n_keys:>14.2f}")
        print(f"{'findings':22}{len(of):>14}{len(pf):>14}")
        print(f"same keys reported: {same}" + ("" if same else f" (only ours: {len(keys_of(of) - keys_of(pf))}, only Prowler: {len(keys_of(pf) - keys_of(of))})"))
        print(f"Prowler / kms-exposure: {pm / om:.1f}x")
        key_ids = [f["resources"][0]["name"] for f in of if f["resources"][0]["region"] == regions[0]]
        ceil = ceiling(moto_port, key_ids, regions[0])
        our_rate = sum(ours_calls.values()) / om
        print(f"emulator ceiling (GetKeyPolicy, 32 threads): {ceil:.0f} requests/s; ours achieved {our_rate:.0f} requests/s = {100 * our_rate / ceil:.0f}% of it")

        print(f"\n== recorded account, {args.latency_ms:.0f} ms per call")
        replay = Replay(dict(proxy.recorded), args.latency_ms / 1000)
        wait_port(replay.port)
        replay_url = f"http://127.0.0.1:{replay.port}"
        r_ours, r_theirs = [], []
        for i in range(args.runs):
            wall, _, rf = run_ours(args.binary, replay_url, regions, os.path.join(work, f"r-ours-{i}"), ("--max-requests-in-flight", "256"))
            r_ours.append(wall)
            wall, _, rpf = run_prowler(replay_url, regions, os.path.join(work, f"r-prowler-{i}"))
            r_theirs.append(wall)
            print(f"run {i + 1}: kms-exposure {r_ours[-1]:.2f} s, Prowler {r_theirs[-1]:.2f} s")
        rom, rpm = statistics.median(r_ours), statistics.median(r_theirs)
        bound = args.keys / 1000
        print(f"median: kms-exposure {rom:.2f} s, Prowler {rpm:.2f} s, Prowler / kms-exposure {rpm / rom:.1f}x")
        print(f"quota-bound limit (GetKeyPolicy 1,000/s per region, regions in parallel): {bound:.2f} s; ours is {rom / bound:.1f}x of it")
        print(f"findings on the replay: kms-exposure {len(rf)}, Prowler {len(rpf)}; unrecorded requests answered with an error: {replay.misses}")
        replay.stop()
        proxy.stop()
    finally:
        moto.kill()
        moto.wait()


if __name__ == "__main__":
    main()
