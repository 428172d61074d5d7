"""Replace Prowler's built-in kms_key_not_publicly_accessible with kms-exposure's.

Prowler finds this package through its `prowler.checks.aws` entry point and imports it while
discovering checks, before any check runs. A plugin whose CheckID Prowler already has is
otherwise ignored, so this module puts our check module in `sys.modules` under the built-in
module's name: when Prowler imports the built-in check, it gets ours.

This relies on undocumented behaviour, so Prowler's version is checked against the ones
tested, and the swap is verified: a warning says so when it did not take effect. Set
KMS_EXPOSURE_PROWLER_DISABLE=1 to run Prowler's built-in check instead.
"""
import os
import sys

SUPPORTED_PROWLER = ("5.46.",)
BUILTIN = "prowler.providers.aws.services.kms.kms_key_not_publicly_accessible.kms_key_not_publicly_accessible"
OURS = "kms_exposure_prowler.services.kms.kms_key_not_publicly_accessible.kms_key_not_publicly_accessible"


def _warn(message):
    print(f"kms-exposure-prowler: WARNING: {message}", file=sys.stderr)


def _install():
    if os.environ.get("KMS_EXPOSURE_PROWLER_DISABLE") == "1":
        return "disabled by KMS_EXPOSURE_PROWLER_DISABLE=1: Prowler's built-in check runs"
    try:
        from prowler.config.config import prowler_version
    except Exception:  # Prowler is not importable: nothing to override.
        return "Prowler is not installed"
    if not prowler_version.startswith(SUPPORTED_PROWLER):
        _warn(f"Prowler {prowler_version} is not a tested version ({', '.join(v + 'x' for v in SUPPORTED_PROWLER)}); the override may not work")
    existing = sys.modules.get(BUILTIN)
    import importlib

    ours = importlib.import_module(OURS)
    if existing is not None and existing is not ours:
        _warn("Prowler loaded its built-in kms_key_not_publicly_accessible before this plugin; the override did not take effect")
        return "too late"
    sys.modules[BUILTIN] = ours
    if importlib.import_module(BUILTIN) is not ours:
        _warn("the override of kms_key_not_publicly_accessible did not take effect")
        return "not swapped"
    return None


STATUS = _install()
