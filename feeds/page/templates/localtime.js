(function () {
  "use strict";
  // Adds each session's time in the reader's own zone under the time in the
  // session's zone, when the two differ. Without it the page still reads
  // well: this is an enhancement.
  var tz;
  try {
    tz = new Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  if (!tz) {
    return;
  }
  function fmt(zone, opts) {
    opts.timeZone = zone;
    return new Intl.DateTimeFormat("en-GB", opts);
  }
  var clock = fmt(tz, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  var day = fmt(tz, { weekday: "short", day: "numeric", month: "short" });
  var whens = document.querySelectorAll(".when[data-zone]");
  for (var i = 0; i < whens.length; i++) {
    var w = whens[i];
    var zone = w.getAttribute("data-zone");
    var out = w.nextElementSibling;
    var times = w.querySelectorAll("time[datetime]");
    if (zone === tz || !out || out.className !== "local" || times.length !== 2) {
      continue;
    }
    var start = new Date(times[0].getAttribute("datetime"));
    var end = new Date(times[1].getAttribute("datetime"));
    if (isNaN(start.getTime()) || isNaN(end.getTime())) {
      continue;
    }
    var there, thereClock;
    try {
      there = fmt(zone, { weekday: "short", day: "numeric", month: "short" });
      thereClock = fmt(zone, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    } catch (e) {
      continue;
    }
    // Another zone name with the same clock at that moment adds nothing.
    if (thereClock.format(start) === clock.format(start) && there.format(start) === day.format(start) &&
        thereClock.format(end) === clock.format(end)) {
      continue;
    }
    var text;
    if (day.format(start) !== day.format(end)) {
      text = day.format(start) + ", " + clock.format(start) + " – " + day.format(end) + ", " + clock.format(end);
    } else {
      text = clock.format(start) + "–" + clock.format(end);
      if (day.format(start) !== there.format(start)) {
        text = day.format(start) + ", " + text;
      }
    }
    out.textContent = text + " in your time (" + tz + ")";
    out.hidden = false;
  }
})();
