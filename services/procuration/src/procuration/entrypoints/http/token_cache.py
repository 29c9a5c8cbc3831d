"""Verified bearer tokens remembered until they expire: a platform service presents the same token
hundreds of times per second, and an ES256 verification per decision would dominate its latency."""

import time

from cii_platform.security.tokens import Principal, TokenVerifier


class CachingTokenVerifier:
    def __init__(self, verifier: TokenVerifier, *, limit: int = 10_000) -> None:
        self._verifier = verifier
        self._limit = limit
        self._verified: dict[str, tuple[float, Principal]] = {}

    def verify(self, token: str) -> Principal:
        cached = self._verified.get(token)
        now = time.time()
        if cached is not None and cached[0] > now:
            return cached[1]
        principal = self._verifier.verify(token)  # raises InvalidTokenError: nothing cached
        if len(self._verified) >= self._limit:
            self._verified = {t: v for t, v in self._verified.items() if v[0] > now}
            if len(self._verified) >= self._limit:
                self._verified.clear()
        self._verified[token] = (float(principal.claims.get("exp", now)), principal)
        return principal
