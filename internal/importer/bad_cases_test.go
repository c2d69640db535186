package importer

// badFiles are agenda files with mistakes, each with the exact error Parse
// must report.
var badFiles = []struct {
	name, data, want string
}{
	{"created-future.yaml", `series: {slug: s, title: T, created: 2999-01-01}
`, `created-future.yaml:1: series.created: "2999-01-01": expected a time that is not in the future: when the series was created`},
	{"created-text.yaml", `series: {slug: s, title: T, created: last year}
`, `created-text.yaml:1: series.created: "last year": expected an RFC 3339 instant such as 2021-11-12T09:00:00Z, or a date such as 2021-11-12, from 1900 on`},
	{"session-created-future.yaml", `series: {slug: s, title: T}
sessions:
  - {key: a, created: 2999-01-01, title: A, start: 2021-11-17T12:00, end: 2021-11-17T13:00}
`, `session-created-future.yaml:3: sessions[0].created: "2999-01-01": expected a time that is not in the future: when the session was created`},
	{"session-created-old.yaml", `series: {slug: s, title: T}
sessions:
  - {key: a, created: 1899-12-31T23:00:00Z, title: A, start: 2021-11-17T12:00, end: 2021-11-17T13:00}
`, `session-created-old.yaml:3: sessions[0].created: "1899-12-31T23:00:00Z": expected an RFC 3339 instant such as 2021-11-12T09:00:00Z, or a date such as 2021-11-12, from 1900 on`},
	{"updated-future.yaml", `series: {slug: s, title: T, updated: 2999-01-01}
`, `updated-future.yaml:1: series.updated: "2999-01-01": expected a time that is not in the future: when the series last changed`},
	{"updated-before-created.yaml", `series: {slug: s, title: T, created: 2021-11-12T09:00:00Z, updated: 2021-11-12T08:59:59Z}
`, `updated-before-created.yaml:1: series.updated: "2021-11-12T08:59:59Z": expected a time not before created (2021-11-12T09:00:00Z): when it last changed`},
	{"session-updated-text.yaml", `series: {slug: s, title: T}
sessions:
  - {key: a, updated: yesterday, title: A, start: 2021-11-17T12:00, end: 2021-11-17T13:00}
`, `session-updated-text.yaml:3: sessions[0].updated: "yesterday": expected an RFC 3339 instant such as 2021-11-12T09:00:00Z, or a date such as 2021-11-12, from 1900 on`},
	{"session-updated-future.yaml", `series: {slug: s, title: T}
sessions:
  - {key: a, updated: 2999-01-01T00:00:00Z, title: A, start: 2021-11-17T12:00, end: 2021-11-17T13:00}
`, `session-updated-future.yaml:3: sessions[0].updated: "2999-01-01T00:00:00Z": expected a time that is not in the future: when the session last changed`},
	{"session-updated-before-created.yaml", `series: {slug: s, title: T}
sessions:
  - key: a
    created: 2021-11-12
    updated: 2021-11-11T23:00:00+01:00
    title: A
    start: 2021-11-17T12:00
    end: 2021-11-17T13:00
`, `session-updated-before-created.yaml:5: sessions[0].updated: "2021-11-11T23:00:00+01:00": expected a time not before created (2021-11-12T00:00:00Z): when it last changed`},
	{"sequence-negative.yaml", `series: {slug: s, title: T}
sessions:
  - {key: a, uid: a@example.org, sequence: -1, title: A, start: 2021-11-17T12:00, end: 2021-11-17T13:00}
`, `sequence-negative.yaml:3: sessions[0].sequence: "-1": expected a whole number from 0 to 2147483647, the session's SEQUENCE as export writes it`},
	{"bad-slug.yaml", `series:
  slug: Open Policy
  title: T
`, `bad-slug.yaml:2: series.slug: "Open Policy": expected 1-64 characters of a-z, 0-9 and '-', not starting or ending with '-'`},
	{"missing-title.yaml", `series:
  slug: s
  title: T
sessions:
  - key: a
    start: 2021-11-17T12:00
    end: 2021-11-17T13:00
`, `missing-title.yaml:5: sessions[0].title: "": required: 1-300 characters on one line`},
	// One mistake, one error: all_day is taken from the fields given, not
	// read as false with "start: required" after it.
	{"all-day-text.yaml", `series: {slug: s, title: T}
sessions:
  - key: a
    title: A
    all_day: yes
    start_date: 2021-11-18
    end_date: 2021-11-18
`, `all-day-text.yaml:5: sessions[0].all_day: "yes": expected the boolean true or false, unquoted, not text`},
	{"person-two-urls.yaml", `series: {slug: s, title: T}
sessions:
  - key: a
    title: A
    start: 2021-11-17T12:00
    end: 2021-11-17T13:00
    people: [{name: Ada Colau, url: "https://one.example/"}]
  - key: b
    title: B
    start: 2021-11-18T12:00
    end: 2021-11-18T13:00
    people: [{name: Emilia Saiz}, {name: Ada Colau, role: moderator, url: "https://two.example/"}]
`, `person-two-urls.yaml:12: sessions[1].people[1].url: "https://two.example/": Ada Colau has the URL "https://one.example/" at sessions[0].people[0]; a person has one URL, so give the same one (or none) everywhere`},
	{"end-before-start.yaml", `series: {slug: s, title: T}
sessions:
  - key: a
    title: A
    start: 2021-11-17T12:00
    end: 2021-11-17T11:00
`, `end-before-start.yaml:6: sessions[0].end: "2021-11-17T11:00": expected a time after start 2021-11-17T12:00`},
	{"dst-gap.yaml", `series: {slug: s, title: T}
sessions:
  - key: a
    title: A
    start: 2021-03-28T02:30
    end: 2021-03-28T04:00
`, `dst-gap.yaml:5: sessions[0].start: "2021-03-28T02:30": 2021-03-28T02:30 does not exist in Europe/Madrid (clocks skip it for daylight saving time); write an explicit offset to choose 2021-03-28T02:30+01:00 (2021-03-28T01:30:00Z) or 2021-03-28T02:30+02:00 (2021-03-28T00:30:00Z)`},
	{"dst-fold.yaml", `series: {slug: s, title: T}
sessions:
  - key: a
    title: A
    start: 2021-10-31T02:30
    end: 2021-10-31T04:00
`, `dst-fold.yaml:5: sessions[0].start: "2021-10-31T02:30": 2021-10-31T02:30 happens twice in Europe/Madrid (clocks go back); write an explicit offset to choose 2021-10-31T02:30+02:00 (2021-10-31T00:30:00Z) or 2021-10-31T02:30+01:00 (2021-10-31T01:30:00Z)`},
	{"wrong-offset.yaml", `series: {slug: s, title: T}
sessions:
  - key: a
    title: A
    start: 2021-10-31T02:30+03:00
    end: 2021-10-31T04:00
`, `wrong-offset.yaml:5: sessions[0].start: "2021-10-31T02:30+03:00": UTC offset +03:00 is not in effect at 2021-10-31T02:30 in Europe/Madrid; expected +02:00 or +01:00`},
	{"unknown-zone.yaml", `series: {slug: s, title: T, zone: Europe/Barcelona}
`, `unknown-zone.yaml:1: series.zone: "Europe/Barcelona": expected an IANA time zone such as Europe/Madrid or America/New_York`},
	{"ftp-url.yaml", `series:
  slug: s
  title: T
  homepage: ftp://example.org/agenda
`, `ftp-url.yaml:4: series.homepage: "ftp://example.org/agenda": expected an absolute http or https URL, such as https://example.org/page`},
	{"control-character.yaml", "series:\n  slug: s\n  title: \"Bell\\a in the title\"\n",
		`control-character.yaml:3: series.title: "Bell\a in the title": expected one line of text without control characters`},
	{"unknown-key.yaml", `series: {slug: s, title: T}
sessions:
  - key: a
    title: A
    start: 2021-11-17T12:00
    end: 2021-11-17T13:00
    venu: Main hall
`, `unknown-key.yaml:7: sessions[0]: unknown key "venu"; did you mean "venue"?`},
	{"bad-status.yaml", `series: {slug: s, title: T}
sessions:
  - key: a
    title: A
    start: 2021-11-17T12:00
    end: 2021-11-17T13:00
    status: postponed
`, `bad-status.yaml:7: sessions[0].status: "postponed": expected one of confirmed, tentative, cancelled`},
	{"bad-role.yaml", `series: {slug: s, title: T}
sessions:
  - key: a
    title: A
    start: 2021-11-17T12:00
    end: 2021-11-17T13:00
    people:
      - {name: Ana, role: speaker}
      - name: Bo
        role: juggler
`, `bad-role.yaml:10: sessions[0].people[1].role: "juggler": expected one of moderator, chair, host, keynote, speaker, panelist, presenter, discussant, rapporteur, organizer`},
	{"duplicate-key.yaml", `series: {slug: s, title: T}
sessions:
  - {key: a, title: A, start: 2021-11-17T12:00, end: 2021-11-17T13:00}
  - {key: b, title: B, start: 2021-11-17T12:00, end: 2021-11-17T13:00}
  - {key: a, title: C, start: 2021-11-18T12:00, end: 2021-11-18T13:00}
`, `duplicate-key.yaml:5: sessions[2].key: "a": already used by sessions[0]; keys must be unique in a series`},
	{"bad-reminder.yaml", `series:
  slug: s
  title: T
  reminders:
    - 15m
    - 2 hours
    - 5w
`, `bad-reminder.yaml:6: series.reminders[1]: "2 hours": expected a duration such as 15m, 1h, 1d or 1w (units w, d, h, m)
bad-reminder.yaml:7: series.reminders[2]: "5w": expected a whole number of minutes between 1m and 4w before the start`},
	{"bad.json", `{
  "series": {
    "slug": "s",
    "title": "T",
  }
}`, `bad.json:5: syntax: invalid character '}' looking for beginning of object key string`},
	{"truncated.json", `{"series": {"slug": "s",
"title": "T"`, `truncated.json:2: syntax: unexpected end of JSON input`},
	// encoding/json would replace these with U+FFFD; a file is refused
	// instead, as YAML files are.
	{"invalid-utf8.json", "{\"series\": {\"slug\": \"s\",\n  \"title\": \"a\xffb\"}}\n",
		`invalid-utf8.json:2: syntax: invalid UTF-8 at byte 39; expected UTF-8 text`},
	{"lone-surrogate.json", "{\"series\": {\"slug\": \"s\",\n  \"title\": \"a\\ud800b\"}}\n",
		`lone-surrogate.json:2: syntax: escape \ud800 at byte 39 is half of a UTF-16 surrogate pair; expected a pair (\uD83D\uDE00) or the character itself`},
	{"duplicate-key.json", "{\"series\": {\"slug\": \"s\",\n  \"title\": \"a\", \"title\": \"b\"}}\n",
		`duplicate-key.json:2: series.title: key given twice (first on line 2)`},
	{"reversed-surrogates.json", "{\"series\": {\"slug\": \"s\", \"title\": \"\\udc00\\ud800\"}}\n",
		`reversed-surrogates.json:1: syntax: escape \udc00 at byte 36 is half of a UTF-16 surrogate pair; expected a pair (\uD83D\uDE00) or the character itself`},
	{"wrong-type.yaml", `series: {slug: s, title: T}
sessions:
  key: a
  title: A
`, `wrong-type.yaml:3: sessions: expected a list of sessions, not a mapping`},
	{"list-for-people.yaml", `series: {slug: s, title: T}
sessions:
  - key: a
    title: A
    start: 2021-11-17T12:00
    end: 2021-11-17T13:00
    people:
      - [Ana, moderator]
`, `list-for-people.yaml:8: sessions[0].people[0]: expected a mapping of keys (name, role, affiliation, ...), not a list`},
	{"bad-published.yaml", `series: {slug: s, title: T}
posts:
  - id: p
    title: P
    published: 23/11/2020
`, `bad-published.yaml:5: posts[0].published: "23/11/2020": expected a date and time with offset, e.g. 2020-11-23T10:00:00+01:00, or a date, e.g. 2020-11-23`},
	{"published-without-offset.yaml", `series: {slug: s, title: T}
posts:
  - id: p
    title: P
    published: 2020-11-23T10:00:00
`, `published-without-offset.yaml:5: posts[0].published: "2020-11-23T10:00:00": expected a date and time with offset, e.g. 2020-11-23T10:00:00+01:00, or a date, e.g. 2020-11-23`},
	{"unknown-session.yaml", `series: {slug: s, title: T}
sessions:
  - {key: a, title: A, start: 2021-11-17T12:00, end: 2021-11-17T13:00}
posts:
  - id: p
    title: P
    published: 2021-11-10
    session: b
`, `unknown-session.yaml:8: posts[0].session: "b": expected the key of a session in this file`},
	{"duplicate-post.yaml", `series: {slug: s, title: T}
posts:
  - {id: p, title: P, published: 2021-11-10}
  - {id: p, title: Q, published: 2021-11-11}
`, `duplicate-post.yaml:4: posts[1].id: "p": already used by posts[0]; post ids must be unique in a series`},
	{"bad-date.yaml", `series: {slug: s, title: T}
sessions:
  - key: a
    title: A
    all_day: true
    start_date: 2021-02-30
    end_date: 2021-03-01
`, `bad-date.yaml:6: sessions[0].start_date: "2021-02-30": expected a date as YYYY-MM-DD`},
	{"bad-tag.yaml", `series: {slug: s, title: T}
sessions:
  - key: a
    title: A
    start: 2021-11-17T12:00
    end: 2021-11-17T13:00
    tags:
      - zeta
      - "-dash-first"
`, `bad-tag.yaml:9: sessions[0].tags[1]: "-dash-first": expected letters, digits, spaces and . _ + # - only, starting with a letter or digit`},
	{"empty.yaml", ``, `empty.yaml:1: series: required: the file is empty; expected series:, sessions: and posts:`},
	{"two-documents.yaml", "series: {slug: s, title: T}\n---\nseries: {slug: t, title: U}\n",
		`two-documents.yaml:2: syntax: expected one YAML document, found another starting here; put one series in each file`},
	{"syntax.yaml", "series:\n  slug: s\n title: T\n", `syntax.yaml:2: syntax: did not find expected key`},
	{"alias.yaml", "series: &s {slug: s, title: T}\nsessions: *s\n",
		`alias.yaml:1: series: YAML anchors and aliases (&name, *name) are not supported; write the value out
alias.yaml:2: sessions: YAML anchors and aliases (&name, *name) are not supported; write the value out`},
	{"many.yaml", `series:
  slug: s
  title: T
  language: english
sessions:
  - key: Bad Key
    title: A
    start: tomorrow
    end: 2021-11-17T13:00
    online_url: example.org
`, `many.yaml:4: series.language: "english": expected a BCP 47 language tag such as en, es-ES or zh-Hant-TW
many.yaml:6: sessions[0].key: "Bad Key": expected 1-64 characters of a-z, 0-9 and '-', not starting or ending with '-'
many.yaml:8: sessions[0].start: "tomorrow": expected a local date and time as YYYY-MM-DDTHH:MM, optionally with seconds and a UTC offset such as +01:00
many.yaml:10: sessions[0].online_url: "example.org": expected an absolute http or https URL, such as https://example.org/page`},
}
