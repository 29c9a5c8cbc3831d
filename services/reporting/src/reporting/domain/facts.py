"""Facts: what reporting keeps of each platform event (codes, dates, counts, pseudonyms; never identity).

A fact is a plain dict `{"kind": ..., "seq": n, ...}` so that it rests in the store as it is folded in
memory. `seq` orders the facts of one Kafka partition (one situation, one person) as they were consumed.
"""

from typing import Any

Fact = dict[str, Any]
LoggedFact = tuple[str, Fact]  # (event identity, fact with its seq)

SITUATION = "situation"
TRIAGED = "triaged"
STATUS = "status"
TRANSITION = "transition"
MEASURE = "measure"  # requested, scheduled, held, started, closed or cancelled: `stage` says which
SITUATION_CLOSED = "situation_closed"
ALERT_RAISED = "alert_raised"
ALERT_CLEARED = "alert_cleared"
PROCURATION = "procuration"
PROCURATION_STATUS = "procuration_status"
CASELOAD = "caseload"

KINDS = frozenset({SITUATION, TRIAGED, STATUS, TRANSITION, MEASURE, SITUATION_CLOSED, ALERT_RAISED,
                   ALERT_CLEARED, PROCURATION, PROCURATION_STATUS, CASELOAD})
