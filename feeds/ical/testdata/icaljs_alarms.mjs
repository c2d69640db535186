// Reads .ics files with ical.js, using only the VTIMEZONEs inside each file,
// and prints for every alarm of every event the instant it rings, computed
// as RFC 5545 §3.3.6 defines a duration: its weeks and days are nominal
// (added to the start's wall time in its zone with Time.addDuration), its
// hours, minutes and seconds exact (added to the instant). Time.addDuration
// alone would add the hours to the wall clock too (ical.js 2.2 adjusts the
// fields, whatever the unit), so the exact part is added here, from
// ical.js's own parse of the trigger and of the file's VTIMEZONE. An
// all-day event's alarm is a wall time from its DATE's local midnight.
// Usage: node icaljs_alarms.mjs <path to ical.js module> file.ics...
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [, , modulePath, ...files] = process.argv;
const ICAL = (await import(pathToFileURL(modulePath).href)).default;

function ring(start, trig) {
  const nominal = new ICAL.Duration({ weeks: trig.weeks, days: trig.days, isNegative: trig.isNegative });
  const exact = (trig.hours * 3600 + trig.minutes * 60 + trig.seconds) * (trig.isNegative ? -1 : 1);
  const t = start.clone();
  if (t.isDate) {
    t.isDate = false; // local midnight, floating
    t.addDuration(nominal);
    t.addDuration(new ICAL.Duration({ seconds: Math.abs(exact), isNegative: exact < 0 }));
    return t.toString();
  }
  t.addDuration(nominal);
  return new Date((t.toUnixTime() + exact) * 1000).toISOString().replace('.000Z', 'Z');
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
    out.push({
      file,
      uid: ev.uid,
      alarms: ve.getAllSubcomponents('valarm').map((a) => ring(ev.startDate, a.getFirstPropertyValue('trigger'))),
    });
  }
}
process.stdout.write(JSON.stringify(out));
