"""Checkpoints: the chain head written down outside the database, optionally signed with Ed25519.

A chain can only prove itself from the inside: cut its last events, or rewrite it whole and
recompute every hash, and it verifies again. A head kept elsewhere closes that gap, as the signed
tree heads of Certificate Transparency and Rekor do: the live chain must still hold the
checkpoint's event under the same hash (hash chaining then vouches for every event before it).
A signature (``cryptography``'s Ed25519) adds who vouched for the head, and that nobody edited it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ospo_tui.clock import utc_now
from ospo_tui.errors import InputError
from ospo_tui.services.trail.chain import VerifyResult, canonical_json

CHECKPOINT_FORMAT = "ospo-tui-checkpoint"
_RAW = serialization.Encoding.Raw, serialization.PublicFormat.Raw


def checkpoint_document(result: VerifyResult) -> dict[str, Any]:
    """The head of a chain that just verified, as the JSON a checkpoint file holds."""
    return {
        "format": CHECKPOINT_FORMAT,
        "format_version": 1,
        "seq": result.events,
        "hash": result.head_hash,
        "events": result.events,
        "created_at": utc_now(),
    }


def _key_id(public: Ed25519PublicKey) -> str:
    return hashlib.sha256(public.public_bytes(*_RAW)).hexdigest()


def load_private_key(pem: bytes, password: bytes | None = None) -> Ed25519PrivateKey:
    """An Ed25519 private key from PEM; TypeError if it is encrypted and no password was given."""
    try:
        key = serialization.load_pem_private_key(pem, password=password)
    except ValueError as exc:
        raise InputError(f"the signing key is not a readable PEM private key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError(
            "the signing key is not an Ed25519 key (openssl genpkey -algorithm ed25519)"
        )
    return key


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError as exc:
        raise InputError(f"the public key is not a readable PEM public key ({exc})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise InputError("the public key is not an Ed25519 key")
    return key


def sign_checkpoint(document: dict[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    """``document`` with an Ed25519 signature over its canonical JSON (sorted keys, compact)."""
    body = {k: v for k, v in document.items() if k != "signature"}
    signature = key.sign(canonical_json(body).encode("utf-8"))
    return {
        **body,
        "signature": {
            "algorithm": "ed25519",
            "key_sha256": _key_id(key.public_key()),
            "value": base64.b64encode(signature).decode("ascii"),
        },
    }


def read_checkpoint(path: Path) -> dict[str, Any]:
    """A checkpoint file's document, or InputError naming what is wrong with the file."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such checkpoint file") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"{path}: not a readable checkpoint ({exc})") from None
    if not isinstance(document, dict) or document.get("format") != CHECKPOINT_FORMAT:
        raise InputError(f"{path}: not an ospo-tui checkpoint")
    if not isinstance(document.get("seq"), int) or not isinstance(document.get("hash"), str):
        raise InputError(f"{path}: the checkpoint names no chain head")
    return document


def signature_problem(document: dict[str, Any], public: Ed25519PublicKey | None) -> str | None:
    """Why the signature does not hold, or None; with no key, an unsigned checkpoint is fine."""
    signature = document.get("signature")
    if public is None:
        return None
    if not isinstance(signature, dict):
        return "the checkpoint is not signed, but a public key was given"
    if signature.get("key_sha256") != _key_id(public):
        return "the checkpoint was signed with another key than the public key given"
    body = {k: v for k, v in document.items() if k != "signature"}
    try:
        raw = base64.b64decode(str(signature.get("value", "")), validate=True)
        public.verify(raw, canonical_json(body).encode("utf-8"))
    except (InvalidSignature, binascii.Error, ValueError):
        return "the checkpoint's signature is bad: it was edited or forged"
    return None
