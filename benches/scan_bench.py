#!/usr/bin/env python3
"""Scan benchmark on an emulated account (moto, in process, on loopback).

Seeds N keys in each of R regions (a mix of public, cross-account and private policies),
then runs `kms-exposure scan` (release build) against it several times and prints the
median wall time, API requests per key and peak memory (RSS) of the scan process.

moto generates an RSA key pair for every KMS key it creates, which makes seeding slow; the
benchmark replaces that with a stub (the scan never signs), so 1,000 keys seed in seconds.

Usage: scan_bench.py BINARY [--keys N] [--regions R] [--runs K]
"""
import argparse
import json
import logging
import re
import socket
import statistics
import subprocess
import tempfile
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
import moto.kms.models as kms_models
from moto.moto_server.threaded_moto_server import ThreadedMotoServer

ACCOUNT = "123456789012"
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2", "eu-central-1"]
PEAKS = []


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def policy(i):
    root = {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "kms:*", "Resource": "*"}
    kind = i % 10
    if kind == 0:
        extra = [{"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}]
    elif kind in (1, 2):
        extra = [{"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
                  "Action": "kms:Decrypt", "Resource": "*"}]
    elif kind in (3, 4):
        extra = [{"Sid": "ViaEBS", "Effect": "Allow", "Principal": {"AWS": "*"},
                  "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*",
                  "Condition": {"StringEquals": {"kms:CallerAccount": ACCOUNT,
                                                 "kms:ViaService": "ec2.us-east-1.amazonaws.com"}}}]
    else:
        extra = []
    return json.dumps({"Version": "2012-10-17", "Statement": [root, *extra]})


def seed(endpoint, regions, n):
    def one(region, i):
        c = clients[region]
        kid = c.create_key(Policy=policy(i), Tags=[{"TagKey": "n", "TagValue": str(i)}])["KeyMetadata"]["KeyId"]
        if i % 3 == 0:
            c.create_alias(AliasName=f"alias/k{i}", TargetKeyId=kid)

    clients = {r: boto3.client("kms", region_name=r, endpoint_url=endpoint, aws_access_key_id="testing",
                               aws_secret_access_key="testing") for r in regions}
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda a: one(*a), [(r, i) for r in regions for i in range(n)]))


def run_scan(binary, endpoint, regions, out):
    env = {"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_EC2_METADATA_DISABLED": "true", "PATH": "/usr/bin:/bin", "HOME": "/tmp"}
    start = time.perf_counter()
    # Files, not pipes: a full pipe would stall the scan while we poll it.
    out_f, err_f = tempfile.TemporaryFile(mode="w+"), tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen([binary, "scan", "-b", "-z", "-f", *regions, "-o", out, "-M", "json-ocsf"],
                            env=env, stdout=out_f, stderr=err_f, text=True)
    # The process's own high-water mark (VmHWM); ru_maxrss of a child would also count the
    # forked Python parent's pages before exec.
    peak = 0.0
    while proc.poll() is None:
        try:
            for line in open(f"/proc/{proc.pid}/status"):
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) / 1024)
        except OSError:
            pass
        time.sleep(0.01)
    out_f.seek(0)
    err_f.seek(0)
    stdout, stderr = out_f.read(), err_f.read()
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"scan failed ({proc.returncode}): {stderr}")
    m = re.search(r"API requests: (\d+) \(([\d.]+) per key\)", stdout)
    total = re.search(r"^total\s+(\d+)", stdout, re.M)
    PEAKS.append(peak)
    return wall, float(m.group(2)) if m else float("nan"), int(m.group(1)) if m else 0, int(total.group(1)) if total else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--keys", type=int, default=1000)
    ap.add_argument("--regions", type=int, default=3)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    regions = REGIONS[: args.regions]

    kms_models.generate_private_key = lambda *a, **k: None  # the scan never signs
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    t = time.perf_counter()
    seed(endpoint, regions, args.keys)
    print(f"seeded {args.keys} keys x {len(regions)} regions in {time.perf_counter() - t:.1f} s")

    walls, per_key, keys = [], 0.0, 0
    for i in range(args.runs):
        wall, per_key, requests, keys = run_scan(args.binary, endpoint, regions, f"/tmp/kms-exposure-bench-{i}")
        walls.append(wall)
        print(f"run {i + 1}: {wall:.2f} s, {keys} keys, {requests} requests")
    median = statistics.median(walls)
    print()
    print(f"scan of {keys} keys in {len(regions)} regions (moto, loopback)")
    print(f"  median wall time   {median:.2f} s ({keys / median:.0f} keys/s, {keys * per_key / median:.0f} requests/s)")
    print(f"  API requests/key   {per_key:.2f}")
    print(f"  peak RSS           {max(PEAKS):.1f} MB (VmHWM of the scan process)")
    server.stop()


if __name__ == "__main__":
    main()
