#!/usr/bin/env python3
"""Validate our output files with validators nobody here wrote.

- every object of each *.ocsf.json file must parse as py-ocsf-models' DetectionFinding;
- every finding of each *.asff.json file must pass botocore's own parameter validation for
  Security Hub's BatchImportFindings (the API model the service uses).

Usage: validate_outputs.py FILE...   Exit 1 on any failure, printing each one.
Prints "N passed, N failed" as its last line.
"""
import json
import sys

import botocore.session
from botocore.validate import ParamValidator
from py_ocsf_models.events.findings.detection_finding import DetectionFinding


def check_ocsf(path):
    failures = []
    items = json.load(open(path))
    if not isinstance(items, list):
        return [f"{path}: not a JSON array"], 0
    for i, item in enumerate(items):
        try:
            DetectionFinding.model_validate(item)
        except Exception as e:  # pydantic.ValidationError, with every field listed
            failures.append(f"{path}[{i}]: {e}")
    return failures, len(items)


def check_asff(path, shape):
    items = json.load(open(path))
    if not isinstance(items, list):
        return [f"{path}: not a JSON array"], 0
    failures = []
    for i, item in enumerate(items):
        report = ParamValidator().validate({"Findings": [item]}, shape)
        if report.has_errors():
            failures.append(f"{path}[{i}]: {report.generate_report()}")
    return failures, len(items)


def main(paths):
    shape = botocore.session.get_session().get_service_model("securityhub").operation_model(
        "BatchImportFindings"
    ).input_shape
    failures, checked = [], 0
    for path in paths:
        if path.endswith(".ocsf.json"):
            f, n = check_ocsf(path)
        elif path.endswith(".asff.json"):
            f, n = check_asff(path, shape)
        else:
            continue
        failures += f
        checked += n
        print(f"{path}: {n} finding(s) checked, {len(f)} failure(s)")
    for f in failures:
        print(f"FAIL {f}")
    print(f"{checked - len(failures)} passed, {len(failures)} failed")
    return 1 if failures or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
