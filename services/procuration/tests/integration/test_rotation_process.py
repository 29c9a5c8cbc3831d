"""Master key rotation: every data key re-wrapped, the data untouched, the service reads on after restart."""

import base64
import os
import secrets
import subprocess
import sys

import pytest
from pymongo import MongoClient

from procuration.testing import new_avs, pseudonym_of, service_headers

pytestmark = pytest.mark.integration


def test_rotate_master_key_rewraps_every_data_key(procuration_platform, tmp_path):
    platform = procuration_platform
    pseudonym = pseudonym_of(platform, new_avs())
    with platform.client("procuration", service_headers(platform)["Authorization"].split()[1]) as http:
        issued = http.post("/internal/v1/keys/issue", json={
            "person_pseudonym": pseudonym, "category": "FINANCE", "controller": "CMS"}).json()
    with MongoClient(platform.infra.mongodb_url) as client:
        before = client["cii_procuration"]["data_keys"].find_one({"_id": issued["key_id"]})
    new_key_file = tmp_path / "new-master.key"
    new_key_file.write_text(secrets.token_hex(32))
    env = {**platform.service_env("procuration")}
    rotation = subprocess.run([sys.executable, "-m", "procuration", "rotate-master-key", "--new-key-file",
                               str(new_key_file)], env=env, capture_output=True, text=True, timeout=120)
    assert rotation.returncode == 0, rotation.stdout + rotation.stderr
    assert (platform.infra.data_dir / "keys" / "master.key").read_text() == new_key_file.read_text()
    assert oct(os.stat(platform.infra.data_dir / "keys" / "master.key").st_mode)[-3:] == "600"
    with MongoClient(platform.infra.mongodb_url) as client:
        after = client["cii_procuration"]["data_keys"].find_one({"_id": issued["key_id"]})
    assert after["wrapped"] != before["wrapped"]
    assert after["master_fingerprint"] != before["master_fingerprint"]
    service = platform.services["procuration"]
    service.stop()
    service.start()
    service.wait_ready()
    with platform.client("procuration", service_headers(platform)["Authorization"].split()[1]) as http:
        released = http.post("/internal/v1/keys/release", json={
            "key_id": issued["key_id"], "institution": "CMS", "purpose": "TRO"})
    assert released.status_code == 200
    assert base64.b64decode(released.json()["key"]) == base64.b64decode(issued["key"])
