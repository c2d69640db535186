package publish

// SetHeldBudget sets how many files p's passes may hold open until they
// are durable (heldFiles), for tests of both ways of dropping the cache.
func SetHeldBudget(p *Publisher, n int) { p.held.max = n }

// SetBeforeManifest sets f to be called once a pass's files are renamed
// into place, before its manifest is written.
func SetBeforeManifest(p *Publisher, f func()) { p.beforeManifest = f }
