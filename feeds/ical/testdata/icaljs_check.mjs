// Reads .ics files with ical.js, using only the VTIMEZONEs inside each file
// (TimezoneService is reset per file: no built-in zones), and prints one
// JSON object per event: UID, UTC start and end (or the DATE for all-day
// events), alarm triggers, texts and the names of the event's properties.
// Usage: node icaljs_check.mjs <path to ical.js module> file.ics...
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [, , modulePath, ...files] = process.argv;
const ICAL = (await import(pathToFileURL(modulePath).href)).default;

function when(t) {
  if (t.isDate) return t.toString();
  if (t.zone && t.zone.tzid !== 'UTC' && t.zone.tzid !== 'floating' && !t.zone.component) {
    throw new Error(`zone ${t.zone.tzid} does not come from the file`);
  }
  if (t.zone && t.zone.tzid === 'floating') throw new Error('floating time');
  return new Date(t.toUnixTime() * 1000).toISOString().replace('.000Z', 'Z');
}

const out = [];
for (const file of files) {
  ICAL.TimezoneService.reset();
  const cal = new ICAL.Component(ICAL.parse(readFileSync(file, 'utf8')));
  for (const vtz of cal.getAllSubcomponents('vtimezone')) {
    ICAL.TimezoneService.register(new ICAL.Timezone(vtz));
  }
  for (const ve of cal.getAllSubcomponents('vevent')) {
    const ev = new ICAL.Event(ve);
    const tzids = ['dtstart', 'dtend'].map((n) => ve.getFirstProperty(n).getParameter('tzid'));
    for (const id of tzids) {
      if (id && !ICAL.TimezoneService.has(id)) throw new Error(`TZID ${id} has no VTIMEZONE`);
    }
    const str = (n) => {
      const p = ve.getFirstProperty(n);
      return p ? String(p.getFirstValue()) : null;
    };
    const cats = ve.getFirstProperty('categories');
    out.push({
      file,
      uid: ev.uid,
      start: when(ev.startDate),
      end: when(ev.endDate),
      alarms: ve.getAllSubcomponents('valarm').map((a) => String(a.getFirstPropertyValue('trigger'))),
      summary: ev.summary,
      description: str('description'),
      location: str('location'),
      categories: cats ? cats.getValues().map(String) : [],
      organizerCN: ve.getFirstProperty('organizer')?.getParameter('cn') ?? null,
      props: ve.getAllProperties().map((p) => p.name.toUpperCase()),
    });
  }
}
process.stdout.write(JSON.stringify(out));
