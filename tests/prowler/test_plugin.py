#!/usr/bin/env python3
"""Prowler with the kms-exposure plugin, against moto on loopback.

Run by `make test-prowler` (part of `make test`) with the Prowler venv's Python, the
kms-exposure binary on PATH and the plugin installed in that venv. Each test runs Prowler as
a user would (`prowler aws --checks kms_key_not_publicly_accessible ...`) and reads its
output files. Prints "N passed, N failed" last; exits 1 on any failure.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import traceback

import boto3

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ACCOUNT = "123456789012"
PROWLER = os.path.join(os.path.dirname(sys.executable), "prowler")
MOTO_PY = os.environ.get("MOTO_PYTHON", os.path.join(ROOT, ".venv", "bin", "python"))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Moto:
    def __init__(self):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [MOTO_PY, os.path.join(ROOT, "tests", "validators", "moto_fast.py"), "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), 1).close()
                break
            except OSError:
                if time.time() > deadline:
                    raise RuntimeError("moto did not start")
                time.sleep(0.1)

    def kms(self, region="us-east-1"):
        return boto3.client("kms", region_name=region, endpoint_url=self.endpoint,
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    def stop(self):
        self.proc.kill()
        self.proc.wait()


ROOT_STMT = {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*"}


def key(client, statements, tags=(), disabled=False):
    policy = json.dumps({"Version": "2012-10-17", "Statement": [ROOT_STMT, *statements]})
    kid = client.create_key(Policy=policy, Tags=[{"TagKey": k, "TagValue": v} for k, v in tags])["KeyMetadata"]["KeyId"]
    if disabled:
        client.disable_key(KeyId=kid)
    return kid


def prowler(moto, out, name, *extra, env_extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_ENDPOINT_URL": moto.endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true"})
    env.update(env_extra or {})
    cmd = [PROWLER, "aws", "--checks", "kms_key_not_publicly_accessible", "-f", "us-east-1", "--no-banner",
           "-M", "json-ocsf", "json-asff", "-o", out, "-F", name, *extra]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    ocsf_path = os.path.join(out, f"{name}.ocsf.json")
    asff_path = os.path.join(out, f"{name}.asff.json")
    def read(path):
        # Prowler leaves an empty file when it has nothing to write in a format.
        text = open(path).read() if os.path.exists(path) else ""
        return json.loads(text) if text.strip() else []

    ocsf, asff = read(ocsf_path), read(asff_path)
    return proc, ocsf, asff


def by_key(ocsf):
    return {f["resources"][0]["name"]: f for f in ocsf}


def test_our_verdicts_replace_the_builtin_and_keep_its_ids(moto, tmp):
    c = moto.kms()
    wildcard = key(c, [{"Sid": "Wild", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*",
                        "Condition": {"StringEquals": {"kms:CallerAccount": "*"}}}])
    disabled = key(c, [{"Sid": "Everyone", "Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}], disabled=True)
    private = key(c, [])
    builtin_run, builtin, builtin_asff = prowler(moto, tmp, "builtin", env_extra={"KMS_EXPOSURE_PROWLER_DISABLE": "1"})
    ours_run, ours, ours_asff = prowler(moto, tmp, "ours")
    b, o = by_key(builtin), by_key(ours)
    assert o[wildcard]["status_code"] == "FAIL", ours_run.stdout[-2000:] + ours_run.stderr[-2000:]
    assert b[wildcard]["status_code"] == "PASS", "the built-in misses a wildcard condition value"
    assert "kms:CallerAccount is \"*\", a wildcard" in o[wildcard]["status_detail"]
    assert o[disabled]["status_code"] == "FAIL" and "Disabled" in o[disabled]["status_detail"]
    assert disabled not in b, "the built-in skips disabled keys"
    assert o[private]["status_code"] == "PASS"
    for k in (wildcard, private):
        assert o[k]["finding_info"]["uid"] == b[k]["finding_info"]["uid"]
        assert o[k]["unmapped"]["compliance"] == b[k]["unmapped"]["compliance"]
        assert o[k]["unmapped"]["compliance"].get("CIS-7.0") == ["2.21"]
    asff_ids = lambda fs: {f["Resources"][0]["Id"]: f["Id"] for f in fs}
    bi, oi = asff_ids(builtin_asff), asff_ids(ours_asff)
    for arn, fid in bi.items():
        assert oi.get(arn) == fid, f"ASFF Id differs for {arn}"


def test_tag_mutelist_mutes_our_finding(moto, tmp):
    c = moto.kms()
    accepted = key(c, [{"Sid": "Everyone", "Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}],
                   tags=[("risk", "accepted")])
    mutelist = os.path.join(tmp, "mutelist.yaml")
    with open(mutelist, "w") as f:
        f.write('Mutelist:\n  Accounts:\n    "*":\n      Checks:\n        "kms_key_not_publicly_accessible":\n'
                '          Regions: ["*"]\n          Resources: ["*"]\n          Tags: ["risk=accepted"]\n')
    run, ocsf, _ = prowler(moto, tmp, "muted", "-w", mutelist)
    f = by_key(ocsf)[accepted]
    assert f["status_code"] == "FAIL" and f["status"] == "Suppressed", (f["status_code"], f["status"], run.stderr[-1000:])


def test_resource_arn_limits_the_findings(moto, tmp):
    c = moto.kms()
    one = key(c, [])
    key(c, [])
    arn = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{one}"
    run, ocsf, _ = prowler(moto, tmp, "filtered", "--resource-arn", arn)
    names = [f["resources"][0]["name"] for f in ocsf]
    assert names == [one], (names, run.stderr[-1000:])


def test_missing_binary_is_a_visible_error(moto, tmp):
    key(moto.kms(), [])
    run, ocsf, _ = prowler(moto, tmp, "nobinary", env_extra={"KMS_EXPOSURE_BIN": "/nonexistent/kms-exposure"})
    statuses = [f["status_code"] for f in ocsf]
    assert statuses and all(s == "MANUAL" for s in statuses), statuses
    assert "not assessed" in ocsf[0]["status_detail"]
    assert "kms-exposure binary was not found" in run.stdout + run.stderr


def test_checks_folder_route(moto, tmp):
    folder = os.path.join(tmp, "checks")
    subprocess.run(["kms-exposure", "prowler-checks-folder", folder], check=True, capture_output=True)
    for name in ("__init__.py", "kms_key_not_publicly_accessible.py", "kms_key_not_publicly_accessible.metadata.json"):
        assert os.path.exists(os.path.join(folder, "kms_key_not_publicly_accessible", name)), name
    # Prowler's -x run deletes its built-in copy of the check, so it is not run here against
    # the shared venv; the folder holds exactly what -x needs.
    meta = json.load(open(os.path.join(folder, "kms_key_not_publicly_accessible", "kms_key_not_publicly_accessible.metadata.json")))
    assert meta["CheckID"] == "kms_key_not_publicly_accessible"


def main():
    tests = [v for k, v in sorted(globals().items()) if k.startswith("test_")]
    passed = failed = 0
    for t in tests:
        moto = Moto()
        tmp = tempfile.mkdtemp(prefix="kms-exposure-prowler-")
        try:
            t(moto, tmp)
            passed += 1
            print(f"ok   {t.__name__}")
        except Exception:
            failed += 1
            print(f"FAIL {t.__name__}")
            traceback.print_exc()
        finally:
            moto.stop()
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
