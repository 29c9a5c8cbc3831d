"""Keyed pseudonyms: the same HMAC in every service, so situations and statistics link up
without any service keeping a raw AVS number outside an encrypted section."""

import hashlib
import hmac

from ..contracts.avs import normalise_avs


class Pseudonymizer:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def person(self, avs_number: str) -> str:
        digest = hmac.new(self._key, normalise_avs(avs_number).encode(), hashlib.sha256).hexdigest()
        return "p_" + digest[:40]
