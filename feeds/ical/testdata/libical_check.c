/* Reads .ics files with libical and prints one JSON object per line per
 * event: UID and the UTC start and end. TZID values are converted with an
 * icaltimezone built from the file's own VTIMEZONE component
 * (icaltimezone_new + icaltimezone_set_component), never libical's
 * built-in zone database. All-day events print their DATE.
 * Usage: libical_check file.ics... */
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAXZONES 64

static char *slurp(const char *path) {
	FILE *f = fopen(path, "rb");
	if (!f) { perror(path); exit(2); }
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc(n + 1);
	if (fread(buf, 1, n, f) != (size_t)n) { perror(path); exit(2); }
	buf[n] = 0;
	fclose(f);
	return buf;
}

static const char *names[MAXZONES];
static icaltimezone *zones[MAXZONES];
static int nzones;

static void when(icalcomponent *ev, icalproperty_kind kind, char *out, size_t n) {
	icalproperty *p = icalcomponent_get_first_property(ev, kind);
	if (!p) { fprintf(stderr, "missing DTSTART/DTEND\n"); exit(3); }
	struct icaltimetype t = icalvalue_get_datetime(icalproperty_get_value(p));
	if (t.is_date) {
		snprintf(out, n, "%04d-%02d-%02d", t.year, t.month, t.day);
		return;
	}
	icalparameter *tzp = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
	icaltimezone *zone = NULL;
	if (tzp) {
		const char *tzid = icalparameter_get_tzid(tzp);
		for (int i = 0; i < nzones; i++)
			if (strcmp(names[i], tzid) == 0) zone = zones[i];
		if (!zone) { fprintf(stderr, "TZID %s has no VTIMEZONE in the file\n", tzid); exit(3); }
	} else if (icaltime_is_utc(t)) {
		zone = icaltimezone_get_utc_timezone();
	} else {
		fprintf(stderr, "floating time\n");
		exit(3);
	}
	t.zone = NULL;
	time_t tt = icaltime_as_timet_with_zone(t, zone);
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int main(int argc, char **argv) {
	for (int a = 1; a < argc; a++) {
		char *text = slurp(argv[a]);
		icalcomponent *cal = icalparser_parse_string(text);
		if (!cal) { fprintf(stderr, "%s: parse failed: %s\n", argv[a], icalerror_strerror(icalerrno)); return 1; }
		nzones = 0;
		for (icalcomponent *vtz = icalcomponent_get_first_component(cal, ICAL_VTIMEZONE_COMPONENT); vtz;
		     vtz = icalcomponent_get_next_component(cal, ICAL_VTIMEZONE_COMPONENT)) {
			if (nzones == MAXZONES) { fprintf(stderr, "too many zones\n"); return 1; }
			icaltimezone *z = icaltimezone_new();
			if (!icaltimezone_set_component(z, icalcomponent_new_clone(vtz))) {
				fprintf(stderr, "bad VTIMEZONE\n");
				return 1;
			}
			names[nzones] = icaltimezone_get_tzid(z);
			zones[nzones++] = z;
		}
		for (icalcomponent *ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); ev;
		     ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
			char start[64], end[64];
			when(ev, ICAL_DTSTART_PROPERTY, start, sizeof start);
			when(ev, ICAL_DTEND_PROPERTY, end, sizeof end);
			printf("{\"uid\":\"%s\",\"start\":\"%s\",\"end\":\"%s\"}\n", icalcomponent_get_uid(ev), start, end);
		}
		for (int i = 0; i < nzones; i++) icaltimezone_free(zones[i], 1);
		icalcomponent_free(cal);
		free(text);
	}
	return 0;
}
