package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// TestConcurrentPatches: goroutines each append their own marks to a
// session's description by GET then PATCH with If-Match, retrying on 412.
// A lost update would drop a mark; a write that slipped past a stale
// If-Match would make the sequence disagree with the successful PATCHes.
func TestConcurrentPatches(t *testing.T) {
	ta := newTestAPI(t)
	uid := ta.seed(t)
	path := "/api/v1/sessions/" + uid
	const workers, each = 6, 8

	var wg sync.WaitGroup
	var mu sync.Mutex
	successes, conflicts := 0, 0
	errs := make(chan error, workers)
	for g := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				mark := fmt.Sprintf("[g%d-%d]", g, i)
				for attempt := 0; ; attempt++ {
					if attempt > 1000 {
						errs <- fmt.Errorf("%s: no success after 1000 attempts", mark)
						return
					}
					w := ta.do(t, req{method: "GET", path: path, token: writeToken})
					if w.Code != http.StatusOK {
						errs <- fmt.Errorf("GET: %d %s", w.Code, w.Body)
						return
					}
					var m struct{ Session sessionJSON }
					if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
						errs <- err
						return
					}
					body, _ := json.Marshal(map[string]string{"description": m.Session.Description + mark})
					w = ta.do(t, req{method: "PATCH", path: path, token: writeToken, body: string(body),
						header: map[string]string{"If-Match": w.Header().Get("ETag")}})
					if w.Code == http.StatusPreconditionFailed {
						mu.Lock()
						conflicts++
						mu.Unlock()
						continue
					}
					if w.Code != http.StatusOK {
						errs <- fmt.Errorf("PATCH: %d %s", w.Code, w.Body)
						return
					}
					mu.Lock()
					successes++
					mu.Unlock()
					break
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	s, err := ta.db.Session(context.Background(), uid)
	if err != nil {
		t.Fatal(err)
	}
	if successes != workers*each {
		t.Errorf("%d successful PATCHes, want %d", successes, workers*each)
	}
	if s.Sequence != int64(successes) {
		t.Errorf("sequence = %d, want %d (one per successful PATCH)", s.Sequence, successes)
	}
	for g := range workers {
		for i := range each {
			if mark := fmt.Sprintf("[g%d-%d]", g, i); strings.Count(s.Description, mark) != 1 {
				t.Errorf("mark %s appears %d times: an update was lost or doubled", mark, strings.Count(s.Description, mark))
			}
		}
	}
	t.Logf("%d PATCHes succeeded after %d 412 retries", successes, conflicts)
}
