-- The daemon asks, at every pass, which series have a session that ended
-- since its last pass (SeriesEndedBetween): their pages move that session
-- from "upcoming" to "past". A range on end_at alone, which neither index
-- on start_at serves; series_id makes the index cover the query.

CREATE INDEX sessions_by_end ON sessions (end_at, series_id);
