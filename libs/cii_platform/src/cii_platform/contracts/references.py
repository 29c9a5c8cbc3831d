"""The reference people read for a situation (letters, e-mails, pages): never its technical id."""

import hashlib


def human_reference(situation_id: str) -> str:
    """A short reference people can read on the phone (CII-3F2A-9B1C), stable for a situation, the same on
    a letter, an e-mail and a page."""
    digest = hashlib.sha256(situation_id.encode()).hexdigest()[:8].upper()
    return f"CII-{digest[:4]}-{digest[4:]}"
