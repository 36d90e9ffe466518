#!/usr/bin/python3
"""DSSE peer built on Debian's python3-securesystemslib 0.26 (which has no DSSE module).

PAE is built here exactly per DSSE protocol.md v1.0.2; signatures are made and checked only by
securesystemslib's key classes (keys.generate_*_key, SSlibSigner, SSlibKey.verify_signature).

  sslib_dsse.py sign    stdin {"keytype", "scheme"?, "payloadType", "payload": base64}
                        stdout {"envelope": DSSE JSON, "key": sslib public key dict}
  sslib_dsse.py verify  stdin {"envelope": DSSE JSON, "key": sslib public key dict}
                        stdout {"verified": [keyid...], "errors": [...]}
                        exit 0 when a signature verifies, 1 when none does, 2 on bad input
"""

import base64
import binascii
import json
import sys

from securesystemslib import exceptions, keys
from securesystemslib.signer import Key, Signature, SSlibSigner

GENERATORS = {
    "ed25519": keys.generate_ed25519_key,
    "ecdsa": keys.generate_ecdsa_key,
    # securesystemslib's RSA default scheme is rsassa-pss-sha256.
    "rsa": lambda **kw: keys.generate_rsa_key(bits=3072, **kw),
}


def pae(payload_type: str, body: bytes) -> bytes:
    """PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body (protocol.md)."""
    type_bytes = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(type_bytes), type_bytes, len(body), body)


def b64decode(value: str) -> bytes:
    """protocol.md: verifiers MUST accept standard and URL-safe base64; anything else rejects."""
    alphabet = b"-_" if ("-" in value or "_" in value) else b"+/"
    padded = value + "=" * (-len(value) % 4)
    return base64.b64decode(padded, altchars=alphabet, validate=True)


def public_part(key_dict: dict) -> dict:
    return {
        "keytype": key_dict["keytype"],
        "scheme": key_dict["scheme"],
        "keyval": {"public": key_dict["keyval"]["public"]},
    }


def sign(request: dict) -> int:
    generate = GENERATORS[request["keytype"]]
    scheme = request.get("scheme")
    key_dict = generate(scheme=scheme) if scheme else generate()
    payload_type = request["payloadType"]
    body = b64decode(request["payload"])
    signature = SSlibSigner(key_dict).sign(pae(payload_type, body))
    envelope = {
        "payload": base64.b64encode(body).decode("ascii"),
        "payloadType": payload_type,
        "signatures": [
            {
                "keyid": signature.keyid,
                "sig": base64.b64encode(bytes.fromhex(signature.signature)).decode("ascii"),
            }
        ],
    }
    json.dump({"envelope": envelope, "key": public_part(key_dict)}, sys.stdout)
    return 0


def verify(request: dict) -> int:
    envelope = request["envelope"]
    key_dict = request["key"]
    # securesystemslib computes its own keyid for the key (hex sha256 over its canonical JSON).
    keyid = keys.format_metadata_to_key(dict(key_dict))[0]["keyid"]
    key = Key.from_dict(keyid, dict(key_dict))
    message = pae(envelope["payloadType"], b64decode(envelope["payload"]))
    verified, errors = [], []
    for entry in envelope["signatures"]:
        # The keyid is only a hint (protocol.md): the one trusted key is tried on every signature.
        signature = Signature(keyid=key.keyid, sig=b64decode(entry["sig"]).hex())
        try:
            key.verify_signature(signature, message)
            verified.append(entry.get("keyid", ""))
        except exceptions.UnverifiedSignatureError as err:
            errors.append(f"{err} ({err.__cause__!r})" if err.__cause__ else str(err))
    json.dump({"verified": verified, "errors": errors}, sys.stdout)
    return 0 if verified else 1


def main() -> int:
    commands = {"sign": sign, "verify": verify}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        print(f"usage: {sys.argv[0]} sign|verify < request.json", file=sys.stderr)
        return 2
    try:
        request = json.load(sys.stdin)
        return commands[sys.argv[1]](request)
    except (KeyError, TypeError, ValueError, binascii.Error) as err:
        print(f"bad request: {type(err).__name__}: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
