"""Reads .ics files with Debian's python3-icalendar (4.x) and prints JSON.

For each event it gives two UTC readings of DTSTART/DTEND:
  "start"/"end":     the module's own reading. icalendar 4.x resolves a TZID
                     that pytz knows by NAME (pytz's zone database), and only
                     falls back to the file's VTIMEZONE for unknown names, so
                     this checks our wall time + zone name, not our VTIMEZONE.
  "vstart"/"vend":   the wall time localised with Timezone.to_tz() built from
                     the file's own VTIMEZONE component (the module's own
                     expansion of our observances), which checks the VTIMEZONE.
All-day events give their DATE in both. Usage: pyical_check.py file.ics...
"""
import json
import sys
from datetime import datetime, timezone

from icalendar import Calendar


def utc(dt):
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


out = []
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        cal = Calendar.from_ical(f.read())
    zones = {}
    for vtz in cal.walk("VTIMEZONE"):
        for obs in vtz.subcomponents:
            # icalendar 4.x hands dateutil a naive DTSTART with the UTC UNTIL
            # that RFC 5545 requires in observances, which dateutil refuses
            # (collective/icalendar#708). Give it the same instant as a naive
            # wall time in the observance's TZOFFSETFROM instead.
            rule = obs.get("RRULE")
            if rule and "UNTIL" in rule:
                until = rule["UNTIL"][0]
                local = until.astimezone(timezone.utc).replace(tzinfo=None) + obs["TZOFFSETFROM"].td
                rule["UNTIL"] = [local]
        zones[str(vtz["TZID"])] = vtz.to_tz()
    for ev in cal.walk("VEVENT"):
        rec = {"uid": str(ev["UID"])}
        for key, name in (("DTSTART", "start"), ("DTEND", "end")):
            prop = ev[key]
            v = prop.dt
            if not isinstance(v, datetime):
                rec[name] = rec["v" + name] = v.isoformat()
                continue
            rec[name] = utc(v)
            tzid = prop.params.get("TZID")
            if tzid:
                rec["v" + name] = utc(zones[tzid].localize(v.replace(tzinfo=None)))
            else:
                rec["v" + name] = utc(v)
        out.append(rec)
json.dump(out, sys.stdout)
