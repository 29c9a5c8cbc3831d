"""Event type names of docs/contract.md sections 3, 5 and 6."""

PREFIX = "ch.vs.cii."

SIGNALEMENT_SUBMITTED = "ch.vs.cii.signalement.submitted.v1"
PROCURATION_SIGNED = "ch.vs.cii.procuration.signed.v1"
PROCURATION_REVOKED = "ch.vs.cii.procuration.revoked.v1"
TRANSITION_SIGNALED = "ch.vs.cii.transition.signaled.v1"
CASELOAD_SNAPSHOT = "ch.vs.cii.caseload.snapshot.v1"
EXCHANGE_REQUESTED = "ch.vs.cii.exchange.requested.v1"
EXCHANGE_PROVIDED = "ch.vs.cii.exchange.provided.v1"

EVENT_ACCEPTED = "ch.vs.cii.event.accepted.v1"
EVENT_REJECTED = "ch.vs.cii.event.rejected.v1"
EXCHANGE_FULFIL = "ch.vs.cii.exchange.fulfil.v1"
EXCHANGE_DELIVERED = "ch.vs.cii.exchange.delivered.v1"
EXCHANGE_DENIED = "ch.vs.cii.exchange.denied.v1"
SITUATION_CLOSED = "ch.vs.cii.situation.closed.v1"

INBOUND_TYPES = frozenset({
    SIGNALEMENT_SUBMITTED, PROCURATION_SIGNED, PROCURATION_REVOKED, TRANSITION_SIGNALED,
    CASELOAD_SNAPSHOT, EXCHANGE_REQUESTED, EXCHANGE_PROVIDED,
})

# Which service owns (validates, applies and answers) each inbound type.
INBOUND_OWNER = {
    SIGNALEMENT_SUBMITTED: "signalement",
    TRANSITION_SIGNALED: "signalement",
    PROCURATION_SIGNED: "procuration",
    PROCURATION_REVOKED: "procuration",
    EXCHANGE_REQUESTED: "procuration",
    EXCHANGE_PROVIDED: "procuration",
    CASELOAD_SNAPSHOT: "reporting",
}

# The service that answers what no owner can claim: unreadable JSON, an unknown type.
ENVELOPE_OWNER = "signalement"
