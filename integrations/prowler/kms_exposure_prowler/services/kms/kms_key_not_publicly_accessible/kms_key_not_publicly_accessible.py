"""Prowler's kms_key_not_publicly_accessible, answered by the kms-exposure binary.

The check asks Prowler's provider for what it audits (regions, partition, credentials,
resource filters), runs `kms-exposure scan --prowler-json` with the credentials in the
environment (never on the command line), reads its versioned JSON result and turns each
finding into Prowler's report. Any failure (no binary, a non-zero exit, output that cannot
be read) is logged as an error and reported as MANUAL findings: never "0 findings".

The binary is found on PATH, or set KMS_EXPOSURE_BIN to its path.
"""
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field

from prowler.lib.check.models import Check, Check_Report_AWS
from prowler.lib.logger import logger
from prowler.providers.common.provider import Provider

RESULT_VERSION = 1
TIMEOUT_SECONDS = int(os.environ.get("KMS_EXPOSURE_TIMEOUT", "3600"))


@dataclass
class KmsKey:
    """What Prowler's report reads from a resource."""

    id: str
    arn: str
    region: str
    name: str = ""
    tags: list = field(default_factory=list)


class kms_key_not_publicly_accessible(Check):
    def execute(self):
        provider = Provider.get_global_provider()
        regions = sorted(provider.generate_regional_clients("kms").keys())
        partition = getattr(provider.identity, "partition", "aws") or "aws"
        account = getattr(provider.identity, "account", "") or ""
        if not regions:
            return []
        binary = os.environ.get("KMS_EXPOSURE_BIN") or shutil.which("kms-exposure")
        if not binary or not os.path.exists(binary):
            return self._failed(regions, partition, account, "the kms-exposure binary was not found: put it on PATH or set KMS_EXPOSURE_BIN")
        args = [binary, "scan", "--prowler-json", "-b", "-z", "-f", *regions]
        filters = list(getattr(provider, "audit_resources", None) or [])
        if filters:
            arns = [a for a in filters if ":kms:" in a and ":key/" in a]
            if not arns:
                return []
            args += ["--resource-arn", *arns]
        env = dict(os.environ)
        for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN"):
            env.pop(name, None)
        creds = provider.session.current_session.get_credentials()
        if creds is not None:
            frozen = creds.get_frozen_credentials()
            env["AWS_ACCESS_KEY_ID"] = frozen.access_key
            env["AWS_SECRET_ACCESS_KEY"] = frozen.secret_key
            if frozen.token:
                env["AWS_SESSION_TOKEN"] = frozen.token
        try:
            proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
        except Exception as error:
            return self._failed(regions, partition, account, f"kms-exposure could not run: {error}")
        if proc.returncode not in (0, 3):
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no message"]
            return self._failed(regions, partition, account, f"kms-exposure exited with code {proc.returncode}: {tail[0]}")
        try:
            result = json.loads(proc.stdout)
            if result.get("kms_exposure_result") != RESULT_VERSION:
                raise ValueError(f"result version {result.get('kms_exposure_result')!r}, expected {RESULT_VERSION}")
            findings = result["findings"]
        except Exception as error:
            return self._failed(regions, partition, account, f"the output of kms-exposure could not be read: {error}")
        reports = []
        for f in findings:
            key = KmsKey(id=f["resource_id"], arn=f["resource_arn"], region=f["region"], name=f["resource_id"], tags=f.get("tags") or [])
            report = Check_Report_AWS(metadata=self.metadata(), resource=key)
            report.status = f["status"]
            report.status_extended = f["status_extended"]
            report.resource_details = f"verdict: {f.get('verdict')} | reasons: {', '.join(f.get('reason_codes') or [])}"
            reports.append(report)
        return reports

    def _failed(self, regions, partition, account, why):
        """Logs the failure loudly and reports each region as MANUAL."""
        message = f"kms-exposure check failed: {why}"
        logger.error(message)
        print(f"ERROR {message}", file=sys.stderr)
        reports = []
        for region in regions:
            key = KmsKey(id="kms-exposure", arn=f"arn:{partition}:kms:{region}:{account}:key/*", region=region)
            report = Check_Report_AWS(metadata=self.metadata(), resource=key)
            report.status = "MANUAL"
            report.status_extended = f"KMS keys in {region} were not assessed: {why}."
            reports.append(report)
        return reports
