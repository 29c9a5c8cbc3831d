"""Consent: the procuration model and the decision policy, shared by the procuration service (the
custodian) and the in-process decision point other services run on the procuration events."""
