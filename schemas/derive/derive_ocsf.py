#!/usr/bin/env python3
"""Derive schemas/ocsf-1.5.0-detection-finding.schema.json from the official OCSF 1.5.0 schema.

Source: the `ocsf-json-schema` package (it ships the OCSF server's JSON for each version);
the Detection Finding class (2004) with the `cloud` and `datetime` profiles, objects
embedded. On top of OCSF we tighten what OCSF leaves loose and Prowler gets wrong:

- the file is a JSON array of findings;
- class, category, type and activity ids are constants, `metadata.version` is "1.5.0";
- `time` and `finding_info.created_time` are epoch milliseconds (>= 10^12);
- every `*_dt` string needs a time-zone offset (`Z` or `+hh:mm`);
- `resources[].labels` are `key:value` strings.

Run: python schemas/derive/derive_ocsf.py  (in the venv `make test` builds)
"""
import json
import pathlib

from ocsf_json_schema import OcsfJsonSchemaEmbedded, get_ocsf_schema

OUT = pathlib.Path(__file__).resolve().parents[1] / "ocsf-1.5.0-detection-finding.schema.json"
DT_WITH_OFFSET = r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$"
MILLIS_MIN = 1_000_000_000_000


def tighten_dt(node):
    """Every `*_dt` property anywhere must carry an offset."""
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict):
            for name, sub in props.items():
                if name.endswith("_dt") and isinstance(sub, dict) and sub.get("type") == "string":
                    sub["pattern"] = DT_WITH_OFFSET
        for v in node.values():
            tighten_dt(v)
    elif isinstance(node, list):
        for v in node:
            tighten_dt(v)


def main():
    embedded = OcsfJsonSchemaEmbedded(get_ocsf_schema(version="1.5.0"))
    finding = embedded.get_class_schema("detection_finding", ["cloud", "datetime"])
    defs = finding.pop("$defs", {})
    finding.pop("$schema", None)
    finding.pop("$id", None)
    props = finding["properties"]
    props["class_uid"]["const"] = 2004
    props["category_uid"]["const"] = 2
    props["type_uid"]["const"] = 200401
    props["activity_id"]["const"] = 1
    props["time"]["minimum"] = MILLIS_MIN
    props["time"]["description"] = "Epoch milliseconds (OCSF timestamp_t)."
    finding["required"] = sorted(set(finding.get("required", [])) | {"status_code", "status_id", "resources", "time_dt"})
    tighten_dt(finding)
    tighten_dt(defs)
    # Objects are embedded as $defs entries; tighten the ones only this class uses.
    def obj(name):
        return defs.get(name, {}).get("properties", {})

    if "created_time" in obj("finding_info"):
        obj("finding_info")["created_time"]["minimum"] = MILLIS_MIN
    if "version" in obj("metadata"):
        obj("metadata")["version"]["const"] = "1.5.0"
    if "labels" in obj("resource_details"):
        obj("resource_details")["labels"]["items"] = {"type": "string", "pattern": r"^[^:]+:.*$"}
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://kms-exposure.invalid/schemas/ocsf-1.5.0-detection-finding.schema.json",
        "title": "kms-exposure OCSF 1.5.0 Detection Finding file (a JSON array)",
        "description": "Derived from the official OCSF 1.5.0 schema by schemas/derive/derive_ocsf.py.",
        "type": "array",
        "items": finding,
        "$defs": defs,
    }
    OUT.write_text(json.dumps(schema, indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
