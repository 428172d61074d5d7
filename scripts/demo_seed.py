#!/usr/bin/env python3
"""Seed an emulated AWS account (moto server) with a handful of KMS keys in two regions.

Usage: demo_seed.py ENDPOINT
"""
import json
import sys

import boto3

ENDPOINT = sys.argv[1]
ACCOUNT = "123456789012"
ROOT = {"Sid": "EnableRoot", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "kms:*", "Resource": "*"}


def kms(region):
    return boto3.client("kms", region_name=region, endpoint_url=ENDPOINT,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def key(client, name, statements, tags=()):
    policy = {"Version": "2012-10-17", "Statement": [ROOT, *statements]}
    kid = client.create_key(Policy=json.dumps(policy), Description=name,
                            Tags=[{"TagKey": k, "TagValue": v} for k, v in tags])["KeyMetadata"]["KeyId"]
    client.create_alias(AliasName=f"alias/{name}", TargetKeyId=kid)
    return kid


us, eu = kms("us-east-1"), kms("eu-west-1")
key(us, "public-data", [{"Sid": "Everyone", "Effect": "Allow", "Principal": {"AWS": "*"},
                         "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": "*"}], [("env", "prod")])
key(us, "wildcard-condition", [{"Sid": "LooksConfined", "Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt",
                                "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": "*"}}}])
key(us, "partner-shared", [{"Sid": "Partner", "Effect": "Allow",
                            "Principal": {"AWS": "arn:aws:iam::444455556666:role/partner"},
                            "Action": "kms:Decrypt", "Resource": "*"}])
key(us, "ebs-default", [{"Sid": "ThroughEBS", "Effect": "Allow", "Principal": {"AWS": "*"},
                         "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*",
                         "Condition": {"StringEquals": {"kms:CallerAccount": ACCOUNT,
                                                        "kms:ViaService": "ec2.us-east-1.amazonaws.com"}}}])
disabled = key(eu, "old-public", [{"Sid": "Everyone", "Effect": "Allow", "Principal": "*",
                                   "Action": "kms:*", "Resource": "*"}])
eu.disable_key(KeyId=disabled)
key(eu, "private", [])
# A guard that moto applies to DescribeKey (it ignores the condition): the key's metadata
# cannot be read, but its policy can, so the verdict is still known.
key(eu, "org-guarded", [{"Sid": "Anyone", "Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"},
                        {"Sid": "DenyOutsideOrg", "Effect": "Deny", "Principal": "*", "Action": "kms:*",
                         "Resource": "*", "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "${aws:ResourceOrgID}"}}}])
for region in ("us-east-1", "eu-west-1"):
    boto3.client("securityhub", region_name=region, endpoint_url=ENDPOINT, aws_access_key_id="testing",
                 aws_secret_access_key="testing").enable_security_hub()
print("seeded 7 keys in us-east-1 and eu-west-1; Security Hub enabled in both")
