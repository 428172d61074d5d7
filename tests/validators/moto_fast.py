#!/usr/bin/env python3
"""moto server for tests, with KMS key creation made cheap.

moto builds an RSA-2048 private key for every KMS key it creates, even a symmetric one
(about 75 ms each). The tests never sign, so symmetric keys get no private key here and a
few hundred keys seed in seconds. Everything else is moto's own server: same arguments as
`moto_server` (e.g. `-H 127.0.0.1 -p 5000`).
"""
import sys

import moto.kms.models as kms_models
from moto.server import main

_real = kms_models.generate_private_key


def _cheap(key_spec):
    if key_spec in (None, "SYMMETRIC_DEFAULT"):
        return None
    return _real(key_spec)


kms_models.generate_private_key = _cheap

if __name__ == "__main__":
    main(sys.argv[1:])
