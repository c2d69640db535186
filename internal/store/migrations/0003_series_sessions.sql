-- Each series' sessions and people packed in one row, as Snapshot reads
-- them, stamped with the series' revision they are of (see packed.go).
-- A row whose revision is not the series' is never read; DB.Pack rewrites
-- the rows that are behind (Open calls it, and the daemon after each pass).

CREATE TABLE series_sessions (
	series_id INTEGER PRIMARY KEY REFERENCES series (id) ON DELETE CASCADE,
	revision  INTEGER NOT NULL,
	data      BLOB    NOT NULL
);
