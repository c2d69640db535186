-- Initial schema. Times of created/updated/published are UTC text in the
-- fixed-width layout 2006-01-02T15:04:05.000000000Z, so that text order is
-- time order. Session instants (start_at, end_at) are unix seconds computed
-- from the wall times and zone on every write; the wall times are the truth.

CREATE TABLE meta (
	id             INTEGER PRIMARY KEY CHECK (id = 1),
	change_counter INTEGER NOT NULL
);
INSERT INTO meta (id, change_counter) VALUES (1, 0);

CREATE TABLE series (
	id              INTEGER PRIMARY KEY,
	slug            TEXT    NOT NULL UNIQUE,
	title           TEXT    NOT NULL,
	description     TEXT    NOT NULL,
	homepage        TEXT    NOT NULL,
	zone            TEXT    NOT NULL,
	language        TEXT    NOT NULL,
	reminders       TEXT    NOT NULL, -- minutes before the start, comma-separated
	organizer_name  TEXT    NOT NULL,
	organizer_email TEXT    NOT NULL,
	created         TEXT    NOT NULL,
	updated         TEXT    NOT NULL,
	revision        INTEGER NOT NULL
);

CREATE TABLE sessions (
	id          INTEGER PRIMARY KEY,
	uid         TEXT    NOT NULL UNIQUE,
	series_id   INTEGER NOT NULL REFERENCES series (id) ON DELETE CASCADE,
	key         TEXT    NOT NULL,
	title       TEXT    NOT NULL,
	description TEXT    NOT NULL,
	all_day     INTEGER NOT NULL,
	start_wall  TEXT    NOT NULL, -- WallTime.String(), '' for all-day sessions
	end_wall    TEXT    NOT NULL,
	start_date  TEXT    NOT NULL, -- YYYY-MM-DD, '' for timed sessions
	end_date    TEXT    NOT NULL,
	zone        TEXT    NOT NULL,
	start_at    INTEGER NOT NULL, -- unix seconds, derived
	end_at      INTEGER NOT NULL,
	venue       TEXT    NOT NULL,
	address     TEXT    NOT NULL,
	online_url  TEXT    NOT NULL,
	status      TEXT    NOT NULL,
	language    TEXT    NOT NULL,
	tags        TEXT    NOT NULL, -- newline-separated; a tag cannot hold a newline
	url         TEXT    NOT NULL,
	sequence    INTEGER NOT NULL,
	created     TEXT    NOT NULL,
	updated     TEXT    NOT NULL,
	UNIQUE (series_id, key)
);

CREATE TABLE people (
	id          INTEGER PRIMARY KEY,
	name        TEXT NOT NULL UNIQUE,
	affiliation TEXT NOT NULL, -- the latest one written
	url         TEXT NOT NULL
);

CREATE TABLE session_people (
	session_id  INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
	person_id   INTEGER NOT NULL REFERENCES people (id),
	role        TEXT    NOT NULL,
	affiliation TEXT    NOT NULL, -- as of this session: people change posts
	position    INTEGER NOT NULL,
	PRIMARY KEY (session_id, position),
	UNIQUE (session_id, person_id)
);

CREATE TABLE posts (
	id         INTEGER PRIMARY KEY,
	series_id  INTEGER NOT NULL REFERENCES series (id) ON DELETE CASCADE,
	slug       TEXT    NOT NULL,
	title      TEXT    NOT NULL,
	summary    TEXT    NOT NULL,
	body       TEXT    NOT NULL,
	body_html  TEXT    NOT NULL,
	author     TEXT    NOT NULL,
	published  TEXT    NOT NULL,
	updated    TEXT    NOT NULL, -- '' when the post was never updated
	url        TEXT    NOT NULL,
	session_id INTEGER REFERENCES sessions (id) ON DELETE SET NULL,
	version    INTEGER NOT NULL,
	UNIQUE (series_id, slug)
);
