"""The calendar file (.ics, RFC 5545) of a round-table or assessment invitation. Pure.

One UID per measure and a growing SEQUENCE: a moved meeting updates the entry already in the calendar.
The summary names the measure and the reference, never the person.
"""

from datetime import date, datetime, timedelta

from icalendar import Calendar, Event

PRODUCT = "-//CII Valais//notifier//FR"


def invitation_ics(*, measure_id: str, summary: str, day: date, sequence: int, url: str, organizer: str,
                   attendees: list[str], stamp: datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", f"{measure_id}@cii-valais")
    event.add("sequence", sequence)
    event.add("summary", summary)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("dtstamp", stamp)
    event.add("url", url)
    event.add("description", url)
    event.add("organizer", f"mailto:{organizer}")
    for address in attendees:
        event.add("attendee", f"mailto:{address}")
    calendar.add_component(event)
    return bytes(calendar.to_ical())
