package publish

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"
)

// MaxDebounce caps the debounce delay: a pass runs at most this long after
// the last edit of a burst.
const MaxDebounce = time.Second

// MinEvery is the shortest @every interval a schedule accepts (the
// errors say 1m). Edits are
// published within a second by the debounced trigger, not by the cron.
const MinEvery = time.Minute

// maxBurst bounds how long a continuous stream of edits (a long import seen
// through Watch) can postpone a pass.
const maxBurst = 10 * time.Second

// specParser accepts five-field specs, descriptors (@daily, @every 5m) and
// a CRON_TZ= or TZ= prefix.
var specParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ValidateSpec checks a schedule spec. robfig/cron v3.0.1 panics on a spec
// made only of "CRON_TZ=Zone"; that panic becomes an error here.
func ValidateSpec(spec string) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("schedule %q: expected a cron spec after the time zone, such as \"CRON_TZ=UTC 30 2 * * *\"", spec)
		}
	}()
	if strings.TrimSpace(spec) == "" {
		return fmt.Errorf("schedule %q: expected a cron spec such as \"*/15 * * * *\" or \"@every 15m\"", spec)
	}
	sched, err := specParser.Parse(spec)
	if err != nil {
		return fmt.Errorf("schedule %q: %w", spec, err)
	}
	// robfig/cron turns an @every under 1s (0, negative) into 1s: a pass
	// every second, each re-reading the database.
	if d, ok := sched.(cron.ConstantDelaySchedule); ok && d.Delay < MinEvery {
		return fmt.Errorf("schedule %q: expected an interval of at least 1m after @every, such as \"@every 5m\"", spec)
	}
	return nil
}

// Scheduler runs passes on a cron schedule and shortly after edits, one
// pass at a time.
type Scheduler struct {
	spec     string
	pass     func(ctx context.Context) error
	debounce time.Duration
	log      *slog.Logger
	now      func() time.Time

	passMu  sync.Mutex // cron and debounced passes share it
	cron    *cron.Cron
	ctx     context.Context // Start's: no pass starts once it is done
	passCtx context.Context // ctx without its cancellation, for passes
	trigger chan struct{}
	// running is set while a pass runs; busy, when set, is called by a
	// Trigger meanwhile (OnBusyTrigger).
	running atomic.Bool
	busy    func()
	// last is when Trigger was last called (now().UnixNano()): the
	// debounce counts from it, not from when the loop, which may have
	// been running a pass, saw the trigger.
	last atomic.Int64
	stop chan struct{}
	once sync.Once
	// stopMu orders every wg.Add against Stop: a WaitGroup must not gain
	// a goroutine while Wait may be running, and a goroutine added after
	// Stop would outlive it (a watcher reading a closed database).
	stopMu  sync.Mutex
	stopped bool
	wg      sync.WaitGroup
}

// NewScheduler returns a scheduler running pass on spec (robfig/cron with
// minutes, descriptors and CRON_TZ), and debounce after a burst of
// Triggers (capped at MaxDebounce; 0 means 250 ms). pass reports its own
// errors: the scheduler does not log them. TriggerOf(ctx) tells pass why
// it runs.
func NewScheduler(spec string, pass func(ctx context.Context) error, debounce time.Duration, logger *slog.Logger, now func() time.Time) (*Scheduler, error) {
	if err := ValidateSpec(spec); err != nil {
		return nil, err
	}
	if pass == nil {
		return nil, errors.New("schedule: nil pass")
	}
	if debounce <= 0 {
		debounce = 250 * time.Millisecond
	}
	debounce = min(debounce, MaxDebounce)
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	return &Scheduler{
		spec: spec, pass: pass, debounce: debounce, log: logger, now: now,
		trigger: make(chan struct{}, 1),
		stop:    make(chan struct{}),
	}, nil
}

// cronOptions are the options every cron in agendafeed uses. The chain
// order matters with robfig/cron v3.0.1: SkipIfStillRunning must wrap
// Recover. The other way round, a panic unwinds through the skip wrapper
// without releasing its lock, and the job never runs again.
func cronOptions(l cron.Logger) []cron.Option {
	return []cron.Option{
		cron.WithParser(specParser),
		cron.WithChain(cron.SkipIfStillRunning(l), cron.Recover(l)),
		cron.WithLogger(l),
	}
}

// Start runs the schedule until ctx is done or Stop is called. A pass
// running then is finished, not cancelled: its context does not end with
// ctx (a daemon told to stop finishes the pass in flight, as it does the
// requests in flight); no pass starts after.
func (s *Scheduler) Start(ctx context.Context) {
	l := cronLogger{s.log}
	s.cron = cron.New(cronOptions(l)...)
	s.ctx, s.passCtx = ctx, context.WithoutCancel(ctx)
	if _, err := s.cron.AddFunc(s.spec, func() { s.run(s.passCtx, "cron") }); err != nil {
		// ValidateSpec accepted it; AddFunc uses the same parser.
		s.log.Error("schedule", "spec", s.spec, "err", err)
	}
	s.cron.Start()
	if !s.add() {
		// Stop came first: nothing may run.
		<-s.cron.Stop().Done()
		return
	}
	go s.loop(ctx)
	go func() {
		select {
		case <-ctx.Done():
			s.Stop()
		case <-s.stop:
		}
	}()
}

// Trigger asks for a pass soon: a burst of triggers gives one pass,
// debounce after the last (or maxBurst after the first, if they never stop).
func (s *Scheduler) Trigger() {
	s.last.Store(s.now().UnixNano())
	select {
	case s.trigger <- struct{}{}:
	default: // one is already pending
	}
	if s.busy != nil && s.running.Load() {
		s.busy()
	}
}

// OnBusyTrigger sets f to be called when Trigger is called while a pass
// runs (the daemon tells the publisher that a newer edit waits:
// Publisher.Supersede). Call it before Start.
func (s *Scheduler) OnBusyTrigger(f func()) { s.busy = f }

// Stop stops the schedule and waits for a running pass to finish.
func (s *Scheduler) Stop() {
	s.once.Do(func() {
		s.stopMu.Lock()
		s.stopped = true
		close(s.stop)
		s.stopMu.Unlock()
		if s.cron != nil {
			<-s.cron.Stop().Done()
		}
	})
	s.wg.Wait()
}

// add registers one goroutine with wg, unless Stop has been called.
func (s *Scheduler) add() bool {
	s.stopMu.Lock()
	defer s.stopMu.Unlock()
	if s.stopped {
		return false
	}
	s.wg.Add(1)
	return true
}

// loop turns triggers into debounced passes.
func (s *Scheduler) loop(ctx context.Context) {
	defer s.wg.Done()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var first time.Time // first trigger of the pending burst; zero if none
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.stop:
			return
		case <-s.trigger:
			now := s.now()
			if first.IsZero() {
				first = now
			}
			// An edit made while a pass ran has waited for it already.
			wait := s.debounce - now.Sub(time.Unix(0, s.last.Load()))
			if left := first.Add(maxBurst).Sub(now); left < wait {
				wait = left
			}
			timer.Reset(max(wait, 0))
		case <-timer.C:
			first = time.Time{}
			s.run(s.passCtx, "edit")
		}
	}
}

// run runs one pass under the shared mutex, recovering a panic so that
// later passes still run.
func (s *Scheduler) run(ctx context.Context, why string) {
	s.passMu.Lock()
	defer s.passMu.Unlock()
	select {
	case <-s.stop:
		return // stopping: a timer or cron tick that raced Stop
	case <-s.ctx.Done():
		return
	default:
	}
	s.running.Store(true)
	defer s.running.Store(false)
	defer func() {
		if v := recover(); v != nil {
			s.log.Error("pass panicked", "trigger", why, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		}
	}()
	// The pass reports its own failure: only it knows whether and when it
	// is retried, and one failure should be one log line.
	_ = s.pass(context.WithValue(ctx, triggerKey{}, why))
}

type triggerKey struct{}

// TriggerOf returns why the scheduler runs the pass whose context is ctx:
// "cron" or "edit" (a Trigger); "" for a context the scheduler did not
// make. Passes log it.
func TriggerOf(ctx context.Context) string {
	why, _ := ctx.Value(triggerKey{}).(string)
	return why
}

// Watch polls counter every poll (e.g. 250 ms) and triggers a pass when
// its value moves: it notices edits that another process (the CLI) made to
// the same database. A failing read is logged once per distinct error, and
// its recovery once. It returns at once; the polling stops with ctx or Stop,
// and Stop waits for it. After Stop, Watch does nothing.
func (s *Scheduler) Watch(ctx context.Context, poll time.Duration, counter func(ctx context.Context) (int64, error)) {
	if poll <= 0 {
		poll = 250 * time.Millisecond
	}
	if !s.add() {
		return
	}
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(poll)
		defer t.Stop()
		last, err := counter(ctx)
		known := err == nil
		failing := "" // the error last logged, while reads fail
		for {
			select {
			case <-ctx.Done():
				return
			case <-s.stop:
				return
			case <-t.C:
			}
			v, err := counter(ctx)
			if err != nil {
				// Once per distinct error: a lasting one (a damaged
				// database) would otherwise log four lines a second.
				if msg := err.Error(); msg != failing {
					failing = msg
					s.log.Warn("read change counter; edits by other processes wait for the next scheduled pass until it reads again", "err", err)
				}
				continue
			}
			if failing != "" {
				failing = ""
				s.log.Info("read change counter again")
			}
			if !known || v != last {
				last, known = v, true
				s.Trigger()
			}
		}
	}()
}

// cronLogger adapts slog to cron.Logger. Cron's Info messages (every
// wake-up) go to Debug.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "err", err)...)
}
