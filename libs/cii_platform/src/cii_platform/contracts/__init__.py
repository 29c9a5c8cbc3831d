"""Public integration contract of the CII platform (docs/contract.md): codes, envelope, event payloads, topics.

Pydantic models only, no behaviour beyond validation. Consumers are tolerant readers: unknown fields
are ignored, a contract changes only by adding optional fields or by a new versioned type.
"""
