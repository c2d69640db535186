-- Indexes for the reads that grew hot once real agendas were loaded: the
-- time-window filter over all series, "every series a person appears in"
-- (PutPerson), posts linked to a session, and posts newest first.

CREATE INDEX sessions_by_start ON sessions (start_at, end_at);
CREATE INDEX sessions_by_series_start ON sessions (series_id, start_at, key);
CREATE INDEX session_people_by_person ON session_people (person_id);
CREATE INDEX posts_by_session ON posts (session_id) WHERE session_id IS NOT NULL;
CREATE INDEX posts_by_series_published ON posts (series_id, published DESC, slug);
