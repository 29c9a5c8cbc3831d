"""Local secrets: generated once by `cii keys init` (make up) into the git-ignored data folder.

In production every one of these files is mounted from a Kubernetes Secret instead.
"""

import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

JWT_PRIVATE = "jwt-private.pem"
JWT_PUBLIC = "jwt-public.pem"
PSEUDONYM_KEY = "pseudonym.key"
MASTER_KEY = "master.key"
AUDIT_KEY = "audit.key"  # the audit chain's HMAC key (procuration)


class MissingSecretError(RuntimeError):
    pass


def _write_secret(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)


def init_local_keys(keys_dir: Path) -> list[Path]:
    """Create whichever local secret is missing; never overwrite one (that would orphan data)."""
    created = []
    if not (keys_dir / JWT_PRIVATE).exists():
        private_key = ec.generate_private_key(ec.SECP256R1())
        _write_secret(keys_dir / JWT_PRIVATE, private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        (keys_dir / JWT_PUBLIC).write_bytes(private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
        created += [keys_dir / JWT_PRIVATE, keys_dir / JWT_PUBLIC]
    for name in (PSEUDONYM_KEY, MASTER_KEY, AUDIT_KEY):
        if not (keys_dir / name).exists():
            _write_secret(keys_dir / name, secrets.token_hex(32).encode())
            created.append(keys_dir / name)
    return created


def read_secret(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes().strip()
    except FileNotFoundError as exc:
        raise MissingSecretError(
            f"{what} not found at {path}: run `make up` (or `.venv/bin/cii keys init`) "
            "or point the setting at the mounted secret") from exc


def read_hex_key(path: Path, what: str) -> bytes:
    key = bytes.fromhex(read_secret(path, what).decode())
    if len(key) != 32:
        raise MissingSecretError(f"{what} at {path} must be 32 bytes in hex")
    return key
