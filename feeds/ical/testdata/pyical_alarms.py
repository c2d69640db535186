"""Reads .ics files with Debian's python3-icalendar and prints, for every
alarm of every event, the instant it rings: the decoded DTSTART plus the
decoded TRIGGER, as a program using the module computes it. A timed start
comes back localised by pytz, whose arithmetic keeps the start's offset, so
every part of a duration is exact. An all-day event's alarm is a naive wall
time from its DATE's midnight. Usage: pyical_alarms.py file.ics...
"""
import json
import sys
from datetime import datetime, time, timezone

from icalendar import Calendar

out = []
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        cal = Calendar.from_ical(f.read())
    for ev in cal.walk("VEVENT"):
        start = ev.decoded("DTSTART")
        alarms = []
        for a in ev.walk("VALARM"):
            trig = a.decoded("TRIGGER")
            if isinstance(start, datetime):
                alarms.append((start + trig).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
            else:
                alarms.append((datetime.combine(start, time()) + trig).strftime("%Y-%m-%dT%H:%M:%S"))
        out.append({"file": path, "uid": str(ev["UID"]), "alarms": alarms})
json.dump(out, sys.stdout)
