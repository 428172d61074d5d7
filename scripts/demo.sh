#!/usr/bin/env bash
# make demo: a full scan of an emulated AWS account (moto server on loopback).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
port=$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
endpoint="http://127.0.0.1:$port"
"$VENV/bin/moto_server" -H 127.0.0.1 -p "$port" >/tmp/kms-exposure-demo-moto.log 2>&1 &
moto=$!
trap 'kill $moto 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  "$VENV/bin/python" -c "import socket; socket.create_connection(('127.0.0.1',$port),1)" 2>/dev/null && break
  sleep 0.1
done
echo "== emulated account at $endpoint"
"$VENV/bin/python" scripts/demo_seed.py "$endpoint"
export AWS_ENDPOINT_URL="$endpoint" AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true
rm -rf output/demo
echo "== kms-exposure scan -f us-east-1 eu-west-1 -o output/demo -S"
status=0
./target/debug/kms-exposure scan -f us-east-1 eu-west-1 -o output/demo -S "$@" || status=$?
echo "== exit code $status (3: public keys were found)"
echo "== files"
ls -l output/demo
./target/debug/kms-exposure validate output/demo/*
echo "== findings now in the emulated Security Hub"
"$VENV/bin/python" - "$endpoint" <<'PY'
import sys, boto3
for region in ("us-east-1", "eu-west-1"):
    hub = boto3.client("securityhub", region_name=region, endpoint_url=sys.argv[1],
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    for f in hub.get_findings()["Findings"]:
        print(f"{region}  {f['Compliance']['Status']:<13} {f['RecordState']:<8} {f['Resources'][0]['Id']}")
PY
