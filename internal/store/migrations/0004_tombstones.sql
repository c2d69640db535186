-- What a deleted series or session had published, so that one created
-- again under the same name never goes back in time. Calendar clients keep
-- the copy of an event with the higher SEQUENCE, and every cache of a
-- series' files (the publisher's manifest, the server's rendered variants,
-- ETags) is keyed by the series' slug and revision: a session re-created
-- with its UID starts above its last sequence, and a series re-created
-- with its slug continues from its last revision (see DeleteSession,
-- DeleteSeries, putSession and putSeries). A row stays after the name is
-- used again: a later delete raises it, never lowers it.

CREATE TABLE session_tombstones (
	uid      TEXT    PRIMARY KEY,
	sequence INTEGER NOT NULL, -- the session's sequence when it was deleted
	deleted  TEXT    NOT NULL
) WITHOUT ROWID;

CREATE TABLE series_tombstones (
	slug     TEXT    PRIMARY KEY,
	revision INTEGER NOT NULL, -- the series' revision when it was deleted
	deleted  TEXT    NOT NULL
) WITHOUT ROWID;
