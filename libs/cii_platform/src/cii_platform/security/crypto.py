"""AES-256-GCM sealing of personal sections under per-person, per-category data keys.

A sealed section carries the id of its data key, never the key: the key lives only with the
custodian (the procuration service), so destroying it makes every copy unreadable (erasure).
"""

import base64
import json
import os
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import BaseModel

ALGORITHM = "A256GCM"


class SealedSection(BaseModel):
    alg: str = ALGORITHM
    key_id: str
    nonce: str
    ciphertext: str


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def seal(plaintext: Any, key: bytes, key_id: str, *, context: str) -> SealedSection:
    """`context` (e.g. the resource id) is authenticated: a section moved to another record fails."""
    nonce = os.urandom(12)
    body = json.dumps(plaintext, separators=(",", ":"), sort_keys=True, default=str).encode()
    ciphertext = AESGCM(key).encrypt(nonce, body, f"{key_id}|{context}".encode())
    return SealedSection(key_id=key_id, nonce=_b64(nonce), ciphertext=_b64(ciphertext))


def unseal(section: SealedSection, key: bytes, *, context: str) -> Any:
    plaintext = AESGCM(key).decrypt(
        base64.b64decode(section.nonce), base64.b64decode(section.ciphertext),
        f"{section.key_id}|{context}".encode())
    return json.loads(plaintext)


def wrap_key(data_key: bytes, master_key: bytes, *, key_id: str) -> str:
    nonce = os.urandom(12)
    return _b64(nonce + AESGCM(master_key).encrypt(nonce, data_key, key_id.encode()))


def unwrap_key(wrapped: str, master_key: bytes, *, key_id: str) -> bytes:
    raw = base64.b64decode(wrapped)
    return AESGCM(master_key).decrypt(raw[:12], raw[12:], key_id.encode())


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)
