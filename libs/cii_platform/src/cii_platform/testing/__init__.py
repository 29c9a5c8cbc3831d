"""Test and benchmark support: the real local platform (Kafka, FerretDB, services as processes)."""
