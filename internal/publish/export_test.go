package publish

// SetHeldBudget sets how many files p's passes may hold open until they
// are durable (heldFiles), for tests of both ways of dropping the cache.
func SetHeldBudget(p *Publisher, n int) { p.held.max = n }
