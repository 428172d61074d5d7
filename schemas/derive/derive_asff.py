#!/usr/bin/env python3
"""Derive schemas/asff.schema.json from the Security Hub API model that botocore ships.

The model's `AwsSecurityFinding` shape (the element of BatchImportFindings' `Findings`)
becomes JSON Schema: structures -> objects with their required members and no other
properties, lists -> arrays, maps -> objects, strings with their enums, patterns and length
limits from the model. Two things on top of the model:

- `Resources[].Details` is cut down to `AwsKmsKey` and `Other`, the only details this tool
  writes (the full model has hundreds of resource types; anything else is an error here);
- the size limits AWS documents for BatchImportFindings but the model does not carry
  (Title 256, Description 1024, Id/GeneratorId 512, Types 50, RelatedRequirements 32 x 64,
  AssociatedStandards 20, Recommendation.Text 512, Resources 1-32, ProductFields 50).

The file is a JSON array of findings. Run: python schemas/derive/derive_asff.py
"""
import json
import pathlib

import botocore
import botocore.session

OUT = pathlib.Path(__file__).resolve().parents[1] / "asff.schema.json"
KEEP_DETAILS = {"AwsKmsKey", "Other"}


def convert(shape, defs):
    name = shape.name
    t = shape.type_name
    meta = shape.metadata
    if t == "structure":
        if name not in defs:
            defs[name] = {}  # placeholder breaks cycles
            members = shape.members
            if name == "ResourceDetails":
                members = {k: v for k, v in members.items() if k in KEEP_DETAILS}
            node = {
                "type": "object",
                "additionalProperties": False,
                "properties": {k: convert(v, defs) for k, v in members.items()},
            }
            required = [r for r in shape.required_members if r in members]
            if required:
                node["required"] = required
            defs[name] = node
        return {"$ref": f"#/$defs/{name}"}
    if t == "list":
        node = {"type": "array", "items": convert(shape.member, defs)}
        if "min" in meta:
            node["minItems"] = meta["min"]
        if "max" in meta:
            node["maxItems"] = meta["max"]
        return node
    if t == "map":
        node = {"type": "object", "additionalProperties": convert(shape.value, defs)}
        key = shape.key.metadata
        if "max" in key or "min" in key:
            node["propertyNames"] = {k2: key[k] for k, k2 in (("min", "minLength"), ("max", "maxLength")) if k in key}
        return node
    if t == "string":
        node = {"type": "string"}
        if shape.enum:
            node["enum"] = list(shape.enum)
        if "pattern" in meta:
            node["pattern"] = meta["pattern"]
        if "min" in meta:
            node["minLength"] = meta["min"]
        if "max" in meta:
            node["maxLength"] = meta["max"]
        return node
    if t in ("integer", "long"):
        return {"type": "integer"}
    if t in ("double", "float"):
        return {"type": "number"}
    if t == "boolean":
        return {"type": "boolean"}
    if t == "timestamp":
        return {"type": "string"}
    if t == "blob":
        return {"type": "string"}
    raise ValueError(f"unhandled shape type {t} ({name})")


def limit(defs, shape, prop, **rules):
    target = defs[shape]["properties"][prop]
    if "$ref" in target:
        target = {"allOf": [target]}
        defs[shape]["properties"][prop] = target
    target.update(rules)


def main():
    model = botocore.session.get_session().get_service_model("securityhub")
    defs = {}
    root = convert(model.shape_for("AwsSecurityFinding"), defs)
    limit(defs, "AwsSecurityFinding", "Title", maxLength=256)
    limit(defs, "AwsSecurityFinding", "Description", maxLength=1024)
    limit(defs, "AwsSecurityFinding", "Id", maxLength=512)
    limit(defs, "AwsSecurityFinding", "GeneratorId", maxLength=512)
    limit(defs, "AwsSecurityFinding", "Types", maxItems=50)
    limit(defs, "AwsSecurityFinding", "Resources", minItems=1, maxItems=32)
    limit(defs, "AwsSecurityFinding", "ProductFields", maxProperties=50)
    limit(defs, "Compliance", "RelatedRequirements", maxItems=32, items={"type": "string", "maxLength": 64})
    limit(defs, "Compliance", "AssociatedStandards", maxItems=20)
    limit(defs, "Recommendation", "Text", maxLength=512)
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://kms-exposure.invalid/schemas/asff.schema.json",
        "title": "kms-exposure ASFF file (a JSON array of AwsSecurityFinding)",
        "description": f"Derived from botocore {botocore.__version__}'s Security Hub model by schemas/derive/derive_asff.py.",
        "type": "array",
        "items": root,
        "$defs": defs,
    }
    OUT.write_text(json.dumps(schema, indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes, {len(defs)} definitions)")


if __name__ == "__main__":
    main()
