package server

import (
	"container/list"
	"sync"
)

// lru caches subscriber variants, bounded by entry count and bytes. Keys
// carry the series revision, so a new revision simply misses and the old
// entries age out.
type lru struct {
	mu         sync.Mutex
	max        int
	maxBytes   int64
	bytes      int64
	ll         *list.List
	items      map[string]*list.Element
	hits, miss int64
}

type lruItem struct {
	key  string
	e    *entry
	size int64
}

func newLRU(max int, maxBytes int64) *lru {
	if max <= 0 {
		max = 256
	}
	return &lru{max: max, maxBytes: maxBytes, ll: list.New(), items: map[string]*list.Element{}}
}

func (c *lru) get(key string) *entry {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.ll.MoveToFront(el)
		c.hits++
		return el.Value.(*lruItem).e
	}
	c.miss++
	return nil
}

// peek is get without counting a hit or a miss, nor refreshing the entry.
func (c *lru) peek(key string) *entry {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		return el.Value.(*lruItem).e
	}
	return nil
}

func (c *lru) put(key string, e *entry, size int64) {
	if size > c.maxBytes/4 {
		// Too big to cache: it would evict everything else. A variant
		// this big (the all-series calendar at scale: 141 MB at 100,000
		// sessions, over the whole budget) is rendered per request;
		// the server's render gate shares one render among identical
		// requests and bounds how many run at once.
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		it := el.Value.(*lruItem)
		c.bytes += size - it.size
		it.e, it.size = e, size
		c.ll.MoveToFront(el)
	} else {
		c.items[key] = c.ll.PushFront(&lruItem{key: key, e: e, size: size})
		c.bytes += size
	}
	for c.ll.Len() > c.max || c.bytes > c.maxBytes {
		el := c.ll.Back()
		it := el.Value.(*lruItem)
		c.ll.Remove(el)
		delete(c.items, it.key)
		c.bytes -= it.size
	}
}

func (c *lru) stats() (hits, misses int64, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits, c.miss, c.ll.Len()
}
