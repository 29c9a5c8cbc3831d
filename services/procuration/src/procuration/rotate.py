"""Master key rotation: re-wrap every data key under a new master key, without touching any data.

    python -m procuration rotate-master-key --new-key-file F

Every data key still wrapped by the current master key (CII_MASTER_KEY_FILE) is unwrapped and wrapped
again under the key in F (32 bytes, hex), each with a compare-and-set on the old wrapping, then F's key
replaces the master key file. Re-running after an interruption finishes the job (keys already under the
new key are recognised by their fingerprint). Restart the service afterwards: it reads the key at start.
"""

import argparse
import asyncio
import os
from pathlib import Path

from cii_platform.security.crypto import unwrap_key, wrap_key
from cii_platform.security.keys import read_hex_key
from cii_platform.store import create_mongo_client

from .adapters.mongo_key_store import MongoKeyStore
from .config import Settings
from .service_layer.custody import master_fingerprint


async def rewrap_all(store: MongoKeyStore, old_key: bytes, new_key: bytes) -> dict[str, int]:
    old_fp, new_fp = master_fingerprint(old_key), master_fingerprint(new_key)
    counts = {"rewrapped": 0, "already": 0, "skipped": 0}
    async for document in store.all_keys():
        fingerprint = document.get("master_fingerprint") or old_fp
        if fingerprint == new_fp:
            counts["already"] += 1
            continue
        if fingerprint != old_fp:
            counts["skipped"] += 1  # wrapped by a key we do not hold: left alone, reported
            continue
        data_key = unwrap_key(document["wrapped"], old_key, key_id=document["_id"])
        new_wrapped = wrap_key(data_key, new_key, key_id=document["_id"])
        changed = await store.rewrap(document["_id"], document["wrapped"], new_wrapped, new_fp)
        counts["rewrapped" if changed else "skipped"] += 1
    return counts


def replace_key_file(path: Path, new_key_hex: str) -> None:
    """Atomic replacement, owner-only permissions (the old key is not kept)."""
    temporary = path.with_suffix(".rotating")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(new_key_hex)
    os.replace(temporary, path)


async def rotate(settings: Settings, new_key_file: Path) -> dict[str, int]:
    old_key = read_hex_key(settings.master_key_path, "master key (CII_MASTER_KEY_FILE)")
    new_key = read_hex_key(new_key_file, "new master key (--new-key-file)")
    client = create_mongo_client(settings.mongodb_url)
    try:
        db = client[settings.mongodb_database]
        counts = await rewrap_all(MongoKeyStore(db["data_keys"], db["erased_persons"]), old_key, new_key)
    finally:
        await client.close()
    if counts["skipped"] == 0:
        replace_key_file(settings.master_key_path, new_key.hex())
    return counts


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m procuration rotate-master-key")
    parser.add_argument("--new-key-file", type=Path, required=True, help="the new master key, 32 bytes in hex")
    args = parser.parse_args(argv)
    counts = asyncio.run(rotate(Settings(), args.new_key_file))
    print(f"re-wrapped {counts['rewrapped']} data key(s), {counts['already']} already under the new key, "
          f"{counts['skipped']} skipped")
    if counts["skipped"]:
        print("some keys were not re-wrapped: the master key file was NOT replaced; re-run to finish")
        return 1
    print("master key file replaced: restart the procuration service")
    return 0
