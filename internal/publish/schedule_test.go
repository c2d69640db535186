package publish

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/robfig/cron/v3"
)

func TestValidateSpec(t *testing.T) {
	for _, tc := range []struct {
		spec string
		ok   bool
	}{
		{"*/15 * * * *", true},
		{"30 2 * * *", true},
		{"@every 1m", true},
		{"@every 90s", true},
		{"CRON_TZ=UTC @every 1h", true},
		{"@every 1s", false}, // a pass every second
		{"@every 59s", false},
		{"@every 1ms", false},
		{"@every 0s", false},
		{"@every -5m", false},
		{"CRON_TZ=UTC @every -1h", false},
		{"@daily", true},
		{"CRON_TZ=UTC 30 2 * * *", true},
		{"TZ=Europe/Madrid 0 4 * * *", true},
		{"CRON_TZ=Europe/Madrid", false}, // panics in robfig/cron v3.0.1
		{"TZ=Europe/Madrid", false},
		{"CRON_TZ=", false},
		{"CRON_TZ=Nowhere/Atlantis 0 4 * * *", false},
		{"", false},
		{"   ", false},
		{"* * *", false},
		{"0 0 0 * * *", false}, // no seconds field
		{"61 * * * *", false},
		{"@every", false},
		{"@sometimes", false},
	} {
		err := ValidateSpec(tc.spec)
		if (err == nil) != tc.ok {
			t.Errorf("ValidateSpec(%q) = %v, want ok=%v", tc.spec, err, tc.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "schedule") {
			t.Errorf("ValidateSpec(%q) = %v: does not name the setting", tc.spec, err)
		}
		if err != nil && strings.Contains(tc.spec, "@every ") && !strings.Contains(err.Error(), "at least 1m after @every") {
			t.Errorf("ValidateSpec(%q) = %v: does not say what is expected", tc.spec, err)
		}
	}
	if _, err := NewScheduler("CRON_TZ=Europe/Madrid", func(context.Context) error { return nil }, 0, nil, nil); err == nil {
		t.Errorf("NewScheduler accepted a zone without a spec")
	}
}

// FuzzValidateSpec: no spec makes the validator panic.
func FuzzValidateSpec(f *testing.F) {
	for _, s := range []string{"CRON_TZ=Europe/Madrid", "@every 1s", "30 2 * * *", "TZ=", "@every -1s", "CRON_TZ=UTC @daily"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		_ = ValidateSpec(spec)
	})
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// passCounter is a pass func that counts calls and checks that no two run
// at once.
type passCounter struct {
	calls, running, overlap atomic.Int32
	panicFirst              bool
	block                   chan struct{}
}

func (c *passCounter) pass(ctx context.Context) error {
	if c.running.Add(1) > 1 {
		c.overlap.Add(1)
	}
	defer c.running.Add(-1)
	n := c.calls.Add(1)
	if c.block != nil {
		<-c.block
	}
	if c.panicFirst && n == 1 {
		panic("first pass explodes")
	}
	return nil
}

func TestDebounceCoalescesBurst(t *testing.T) {
	t.Parallel()
	c := &passCounter{}
	s, err := NewScheduler("@yearly", c.pass, 30*time.Millisecond, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Start(context.Background())
	defer s.Stop()
	for range 50 {
		s.Trigger()
	}
	waitFor(t, 2*time.Second, "the debounced pass", func() bool { return c.calls.Load() >= 1 })
	time.Sleep(150 * time.Millisecond) // several debounce periods: no second pass
	if n := c.calls.Load(); n != 1 {
		t.Errorf("a burst of 50 triggers gave %d passes, want 1", n)
	}
	s.Trigger()
	waitFor(t, 2*time.Second, "a second pass", func() bool { return c.calls.Load() == 2 })
	if c.overlap.Load() != 0 {
		t.Errorf("passes overlapped")
	}
}

func TestPanickingPassesAreRecovered(t *testing.T) {
	t.Parallel()
	t.Run("cron", func(t *testing.T) {
		t.Parallel()
		c := &passCounter{panicFirst: true}
		var logs syncBuffer
		s, err := NewScheduler("@yearly", c.pass, 0, slog.New(slog.NewTextHandler(&logs, nil)), nil)
		if err != nil {
			t.Fatal(err)
		}
		s.spec = "@every 1s" // below MinEvery, which NewScheduler refuses
		s.Start(context.Background())
		defer s.Stop()
		waitFor(t, 3500*time.Millisecond, "a second cron pass after a panic", func() bool { return c.calls.Load() >= 2 })
		if !strings.Contains(logs.String(), "first pass explodes") {
			t.Errorf("panic not logged: %s", logs.String())
		}
	})
	t.Run("trigger", func(t *testing.T) {
		t.Parallel()
		c := &passCounter{panicFirst: true}
		s, err := NewScheduler("@yearly", c.pass, 5*time.Millisecond, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		s.Start(context.Background())
		defer s.Stop()
		s.Trigger()
		waitFor(t, 2*time.Second, "the panicking pass", func() bool { return c.calls.Load() == 1 })
		s.Trigger()
		waitFor(t, 2*time.Second, "a pass after the panic", func() bool { return c.calls.Load() == 2 })
	})
	// The trap this package avoids: in robfig/cron v3.0.1, Recover outside
	// SkipIfStillRunning leaves the skip's lock held after a panic, so the
	// job never runs again; our order (skip outside, recover inside) keeps
	// it running. The job panics every time, straight into cron's chain.
	t.Run("chain order", func(t *testing.T) {
		t.Parallel()
		l := cronLogger{slog.New(slog.DiscardHandler)}
		var ours, reversed atomic.Int32
		good := cron.New(cronOptions(l)...)
		good.AddFunc("@every 1s", func() { ours.Add(1); panic("boom") })
		bad := cron.New(cron.WithParser(specParser), cron.WithLogger(l),
			cron.WithChain(cron.Recover(l), cron.SkipIfStillRunning(l)))
		bad.AddFunc("@every 1s", func() { reversed.Add(1); panic("boom") })
		good.Start()
		bad.Start()
		defer good.Stop()
		defer bad.Stop()
		waitFor(t, 3500*time.Millisecond, "our chain to run the job twice", func() bool { return ours.Load() >= 2 })
		if reversed.Load() != 1 {
			t.Errorf("the reversed chain ran the job %d times; expected the v3.0.1 trap (once)", reversed.Load())
		}
	})
}

func TestWatchTriggersOnCounterChange(t *testing.T) {
	t.Parallel()
	c := &passCounter{}
	s, err := NewScheduler("@yearly", c.pass, 5*time.Millisecond, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var counter atomic.Int64
	var reads atomic.Int32
	failing := atomic.Bool{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s.Start(ctx)
	s.Watch(ctx, 5*time.Millisecond, func(context.Context) (int64, error) {
		reads.Add(1)
		if failing.Load() {
			return 0, errors.New("database is locked")
		}
		return counter.Load(), nil
	})
	waitFor(t, 2*time.Second, "several polls", func() bool { return reads.Load() >= 5 })
	if n := c.calls.Load(); n != 0 {
		t.Fatalf("%d passes without a change", n)
	}
	counter.Add(1)
	waitFor(t, 2*time.Second, "a pass after the counter moved", func() bool { return c.calls.Load() == 1 })
	failing.Store(true) // errors do not trigger
	r := reads.Load()
	waitFor(t, 2*time.Second, "polls while failing", func() bool { return reads.Load() >= r+5 })
	failing.Store(false)
	counter.Add(3)
	waitFor(t, 2*time.Second, "a pass after the next move", func() bool { return c.calls.Load() == 2 })
	cancel()
	s.Stop() // returns: the watcher and loop have ended
}

// A counter that keeps failing is logged once, not at every poll, and its
// recovery once.
func TestWatchLogsLastingErrorOnce(t *testing.T) {
	t.Parallel()
	c := &passCounter{}
	var logs syncBuffer
	s, err := NewScheduler("@yearly", c.pass, 5*time.Millisecond, slog.New(slog.NewTextHandler(&logs, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	var reads atomic.Int32
	failing := atomic.Bool{}
	failing.Store(true)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s.Start(ctx)
	s.Watch(ctx, time.Millisecond, func(context.Context) (int64, error) {
		reads.Add(1)
		if failing.Load() {
			return 0, errors.New("read change counter: no rows")
		}
		return 7, nil
	})
	waitFor(t, 2*time.Second, "many failing polls", func() bool { return reads.Load() >= 20 })
	failing.Store(false)
	r := reads.Load()
	waitFor(t, 2*time.Second, "polls after recovery", func() bool { return reads.Load() >= r+5 })
	cancel()
	s.Stop()
	if n := strings.Count(logs.String(), "level=WARN msg=\"read change counter"); n != 1 {
		t.Errorf("%d warnings for one lasting error, want 1:\n%s", n, logs.String())
	}
	if n := strings.Count(logs.String(), "read change counter again"); n != 1 {
		t.Errorf("%d recovery lines, want 1:\n%s", n, logs.String())
	}
}

// A stop that comes as the scheduler starts (its context already
// cancelled) and a Watch made then: the watcher is either waited for by
// Stop or never started, so nothing reads the counter once Stop returned
// (the daemon closes the database then). Run under -race: Watch's
// registration used to race Stop's Wait.
func TestWatchRacingStop(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 100 {
		s, err := NewScheduler("@yearly", (&passCounter{}).pass, 0, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		var stopped atomic.Bool
		var late atomic.Int32
		s.Start(ctx) // its own goroutine calls Stop at once
		go s.Watch(ctx, time.Millisecond, func(context.Context) (int64, error) {
			if stopped.Load() {
				late.Add(1)
			}
			return 0, nil
		})
		s.Stop()
		stopped.Store(true)
		s.Watch(ctx, time.Millisecond, func(context.Context) (int64, error) {
			late.Add(1)
			return 0, nil
		})
		if n := late.Load(); n != 0 {
			t.Fatalf("the change counter was read %d times after Stop returned", n)
		}
	}
}

func TestStopWaitsForRunningPass(t *testing.T) {
	t.Parallel()
	c := &passCounter{block: make(chan struct{})}
	s, err := NewScheduler("@yearly", c.pass, time.Millisecond, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Start(context.Background())
	s.Trigger()
	waitFor(t, 2*time.Second, "the pass to start", func() bool { return c.calls.Load() == 1 })
	stopWhileRunning(t, s, c.block)
	if c.running.Load() != 0 {
		t.Errorf("pass still running after Stop")
	}
}

// testClock is a settable clock for the scheduler.
type testClock struct{ ns atomic.Int64 }

func newTestClock() *testClock {
	c := &testClock{}
	c.ns.Store(time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC).UnixNano())
	return c
}

func (c *testClock) Now() time.Time      { return time.Unix(0, c.ns.Load()) }
func (c *testClock) Add(d time.Duration) { c.ns.Add(int64(d)) }

// The debounce counts from the last Trigger: an edit made while a pass
// ran, which has waited for that pass already, gets its pass as soon as
// that one ends when the debounce has passed meanwhile.
func TestDebounceCountsFromTheTrigger(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	c := &passCounter{block: make(chan struct{})}
	s, err := NewScheduler("@yearly", c.pass, MaxDebounce, nil, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	s.Start(context.Background())
	defer s.Stop()
	s.Trigger()
	waitFor(t, 5*time.Second, "the first pass", func() bool { return c.calls.Load() == 1 })
	s.Trigger() // while the pass runs
	clock.Add(2 * MaxDebounce)
	close(c.block)
	// Well under the debounce (1 s): the loop computing it from when it
	// saw the trigger takes at least that.
	waitFor(t, MaxDebounce*7/10, "the pass the trigger made during the first one asked for", func() bool { return c.calls.Load() == 2 })
}

// stopWhileRunning calls Stop while a pass blocks on release, checks that
// Stop waits for it, then closes release and waits for Stop.
func stopWhileRunning(t *testing.T, s *Scheduler, release chan struct{}) {
	t.Helper()
	stopped := make(chan struct{})
	go func() { s.Stop(); close(stopped) }()
	select {
	case <-stopped:
		t.Fatal("Stop returned while a pass was running")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	<-stopped
}

// A daemon told to stop (its context cancelled) finishes the pass in
// flight: the pass's context stays live, and Stop waits for it. No pass
// starts after, even with a trigger pending.
func TestCancelFinishesRunningPass(t *testing.T) {
	t.Parallel()
	block := make(chan struct{})
	var calls atomic.Int32
	passErr := make(chan error, 2)
	pass := func(ctx context.Context) error {
		calls.Add(1)
		<-block
		passErr <- ctx.Err()
		return nil
	}
	s, err := NewScheduler("@yearly", pass, time.Millisecond, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.Start(ctx)
	s.Trigger()
	waitFor(t, 2*time.Second, "the pass to start", func() bool { return calls.Load() == 1 })
	s.Trigger() // pending when the context ends
	cancel()
	stopWhileRunning(t, s, block)
	if err := <-passErr; err != nil {
		t.Errorf("the running pass saw its context end (%v): it would stop half-way instead of finishing", err)
	}
	time.Sleep(20 * time.Millisecond)
	if n := calls.Load(); n != 1 {
		t.Errorf("%d passes ran, want only the one in flight", n)
	}
}

// A Trigger while a pass runs calls the busy hook (the daemon's
// Publisher.Supersede); one while no pass runs does not.
func TestBusyTrigger(t *testing.T) {
	t.Parallel()
	c := &passCounter{block: make(chan struct{})}
	s, err := NewScheduler("@yearly", c.pass, time.Millisecond, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var busy atomic.Int32
	s.OnBusyTrigger(func() { busy.Add(1) })
	s.Trigger() // before Start: certainly no pass running
	if n := busy.Load(); n != 0 {
		t.Errorf("a trigger with no pass running called the hook %d times", n)
	}
	s.Start(context.Background())
	defer s.Stop()
	waitFor(t, 2*time.Second, "the pass to start", func() bool { return c.calls.Load() == 1 })
	s.Trigger()
	if n := busy.Load(); n != 1 {
		t.Errorf("a trigger during a pass called the hook %d times, want 1", n)
	}
	close(c.block)
	waitFor(t, 2*time.Second, "the pass the trigger asked for", func() bool { return c.calls.Load() == 2 })
}

// syncBuffer is a goroutine-safe strings.Builder for logs.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestCheckPath(t *testing.T) {
	for _, tc := range []struct {
		path string
		ok   bool
	}{
		{"calendar.ics", true},
		{"madrid/sessions/k1.ics", true},
		{"", false},
		{"/abs", false},
		{"a//b", false},
		{"a/./b", false},
		{"a/../b", false},
		{"..", false},
		{".manifest.json", false},
		{"a/.x.tmp-1", false},
		{`a\b`, false},
		{"a/", false},
	} {
		if err := checkPath(tc.path); (err == nil) != tc.ok {
			t.Errorf("checkPath(%q) = %v, want ok=%v", tc.path, err, tc.ok)
		}
	}
}

// A pass learns why it runs, to log it, and its failure is its own to
// report: the scheduler logs nothing for it (one failure, one line).
func TestPassKnowsItsTrigger(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	whys := make(chan string, 1)
	pass := func(ctx context.Context) error {
		whys <- TriggerOf(ctx)
		return errors.New("disk full")
	}
	s, err := NewScheduler("@yearly", pass, time.Millisecond, slog.New(slog.NewTextHandler(&logs, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Start(context.Background())
	s.Trigger()
	if why := <-whys; why != "edit" {
		t.Errorf("TriggerOf = %q, want edit", why)
	}
	s.Stop()
	if strings.Contains(logs.String(), "disk full") {
		t.Errorf("the scheduler logged the pass's failure:\n%s", logs.String())
	}
	if why := TriggerOf(context.Background()); why != "" {
		t.Errorf("TriggerOf(Background) = %q", why)
	}
}
