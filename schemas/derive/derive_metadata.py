#!/usr/bin/env python3
"""Write schemas/check-metadata.schema.json: Prowler's check-metadata rules as JSON Schema.

The rules are the ones Prowler enforces on `<CheckID>.metadata.json` (see the reference
README in the steering repository): required fields, CheckTitle <= 150 characters and not
starting with "Ensure", CheckType entries from the ASFF type taxonomy, a ServiceName that is
the CheckID's first word, Description and Risk <= 400 characters, an empty RelatedUrl,
unique AdditionalURLs, a CLI remediation that is not a URL, a Recommendation.Url that is
empty or on hub.prowler.com, and the known severities.

Run: python schemas/derive/derive_metadata.py PATH/TO/prowler-aws-check-types.json
"""
import json
import pathlib
import sys

OUT = pathlib.Path(__file__).resolve().parents[1] / "check-metadata.schema.json"


def taxonomy_paths(tree, prefix=""):
    for key, sub in tree.items():
        path = f"{prefix}/{key}" if prefix else key
        yield path
        yield from taxonomy_paths(sub, path)


def main():
    types = sorted(taxonomy_paths(json.loads(pathlib.Path(sys.argv[1]).read_text())))
    text = {"type": "string"}
    strings = {"type": "array", "items": text}
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://kms-exposure.invalid/schemas/check-metadata.schema.json",
        "title": "Prowler check metadata (<CheckID>.metadata.json)",
        "type": "object",
        "additionalProperties": False,
        "required": [
            "Provider", "CheckID", "CheckTitle", "CheckType", "ServiceName", "SubServiceName",
            "ResourceIdTemplate", "Severity", "ResourceType", "ResourceGroup", "Description", "Risk",
            "RelatedUrl", "AdditionalURLs", "Remediation", "Categories", "DependsOn", "RelatedTo", "Notes",
        ],
        "properties": {
            "Provider": {"const": "aws"},
            "CheckID": {"type": "string", "pattern": "^[a-z0-9]+(_[a-z0-9]+)+$"},
            "CheckTitle": {"type": "string", "minLength": 1, "maxLength": 150, "not": {"pattern": "^Ensure"}},
            "CheckType": {"type": "array", "minItems": 1, "uniqueItems": True, "items": {"enum": types}},
            "ServiceName": {"type": "string", "pattern": "^[a-z0-9]+$"},
            "SubServiceName": text,
            "ResourceIdTemplate": text,
            "Severity": {"enum": ["critical", "high", "medium", "low", "informational"]},
            "ResourceType": {"type": "string", "minLength": 1},
            "ResourceGroup": {"type": "string", "minLength": 1},
            "Description": {"type": "string", "minLength": 1, "maxLength": 400},
            "Risk": {"type": "string", "minLength": 1, "maxLength": 400},
            "RelatedUrl": {"const": ""},
            "AdditionalURLs": {"type": "array", "uniqueItems": True, "items": {"type": "string", "pattern": "^https?://"}},
            "Remediation": {
                "type": "object",
                "additionalProperties": False,
                "required": ["Code", "Recommendation"],
                "properties": {
                    "Code": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["CLI", "NativeIaC", "Other", "Terraform"],
                        "properties": {
                            "CLI": {"type": "string", "not": {"pattern": "^https?://"}},
                            "NativeIaC": text,
                            "Other": text,
                            "Terraform": text,
                        },
                    },
                    "Recommendation": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["Text", "Url"],
                        "properties": {
                            "Text": {"type": "string", "minLength": 1},
                            "Url": {"type": "string", "pattern": "^(|https://hub\\.prowler\\.com/.*)$"},
                        },
                    },
                },
            },
            "Categories": {"type": "array", "uniqueItems": True, "items": {"type": "string", "pattern": "^[a-z0-9-]+$"}},
            "DependsOn": strings,
            "RelatedTo": strings,
            "Notes": text,
        },
    }
    OUT.write_text(json.dumps(schema, indent=1) + "\n")
    print(f"wrote {OUT} ({len(types)} check types)")


if __name__ == "__main__":
    main()
