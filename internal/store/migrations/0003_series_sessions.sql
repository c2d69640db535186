-- Each series' sessions and people packed in one row, as Snapshot reads
-- them, stamped with the series' revision they are of (see packed.go).
-- Every write transaction that bumps a revision rewrites its row before it
-- commits; a row whose revision is not the series' is never read. Open
-- fills the rows of a database migrated from schema 2.

CREATE TABLE series_sessions (
	series_id INTEGER PRIMARY KEY REFERENCES series (id) ON DELETE CASCADE,
	revision  INTEGER NOT NULL,
	data      BLOB    NOT NULL
);
