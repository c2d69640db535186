// Package publish owns the regeneration pass: it renders every series whose
// revision moved since it was last published, writes the files atomically
// into the output directory, skips files whose bytes did not change (so they
// keep their ETag and Last-Modified), removes what is no longer published,
// and records it all in a manifest (.manifest.json) that the HTTP server
// reads. It also owns the schedule that runs passes (cron, debounced edits,
// polling for edits made by other processes).
//
// Crash safety. Every published file is written to a temp file in the same
// directory (".<name>.tmp-<random>"), made durable, then renamed into place;
// a series published for the first time is written whole into a staged
// directory (".<slug>.tmp-<random>") that is made durable, then renamed
// into place as the series directory, one rename instead of one per file;
// the manifest is written the same way, after the files it lists; files that
// are no longer published are deleted only after the manifest that drops
// them is durable. Every path is journaled (.pending) before its rename,
// so that after a kill New deletes the files the manifest does not list
// and has those it lists compared with their render on disk (suspect).
// So at any moment, including after SIGKILL or power loss:
//
//   - every file at a published path is complete: the whole output of one
//     render (temp files may remain, never at a published path; New deletes
//     them);
//   - the manifest on disk parses, and every file it lists exists and holds
//     either the bytes the manifest hashes or the complete output of a later
//     pass (one whose manifest was not yet written).
//
// Serving order. Manifest, which the HTTP server serves from, moves twice
// in a pass that renders series: once their files are published (before
// the all-series files, which for a large installation take seconds to
// build), and at the end. When each is stored, every file it lists holds
// the bytes it hashes (files renamed into place later may not, until the
// next one: the server checks). Only the second is written to disk.
//
// One publisher per directory. New locks the output directory (LockName)
// until Close: a second publisher, in this process or another (generate
// while serve runs, a second serve), would delete the first one's temp
// files, staged directories and journal as a killed process's leftovers.
// The flock is on the lock file, not its path: each pass checks that the
// directory's lock file is still the one held and, after the directory
// was replaced (rm -rf), locks the new one (checkLock).
package publish

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"maps"
	"os"
	pathpkg "path"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/agendafeed/agendafeed/feeds"
	"github.com/agendafeed/agendafeed/internal/agenda"
)

// Source is what the publisher reads; the store satisfies it.
type Source interface {
	// Revisions returns every series' slug with its current revision.
	Revisions(ctx context.Context) (map[string]int64, error)
	// Snapshot returns one series, consistent at one revision; an error
	// wrapping agenda.ErrNotFound if it no longer exists.
	Snapshot(ctx context.Context, slug string) (agenda.Snapshot, error)
}

// Output is one file to publish: its path (relative to the output
// directory, from feeds.Layout), its kind and how to render it.
type Output struct {
	Path   string
	Kind   feeds.Kind
	Render func(w io.Writer) error
}

// Renderer lists the files to publish. Rendering is pure: the same
// snapshots give byte-identical files.
type Renderer interface {
	// SeriesOutputs lists the files of one series (calendar, rss, atom,
	// json, page, one .ics per session). Every path must be under "<slug>/".
	SeriesOutputs(snap agenda.Snapshot) []Output
	// CombinedOutputs lists the all-series files (calendar, feeds, index
	// page, feeds.opml). Paths must be outside every series directory.
	//
	// A pass hands CombinedOutputs the very snapshots it gave
	// SeriesOutputs (each series is read once per pass), so neither may
	// modify a snapshot. The Render funcs of the all-series files may run
	// concurrently with each other.
	CombinedOutputs(snaps []agenda.Snapshot) []Output
}

// StreamingRenderer is a Renderer whose all-series files can be built one
// series at a time. The publisher then feeds the builder as the series
// step renders (and reads the series that did not move in between) and
// drops each snapshot after Add, so that a pass never holds every
// snapshot at once; CombinedOutputs is not called.
type StreamingRenderer interface {
	Renderer
	// NewCombined returns an empty builder. spill creates a temp file for
	// the builder's scratch data: at no published path, removed by the
	// publisher after the pass (and by New after a crash).
	NewCombined(spill func() (*os.File, error)) CombinedBuilder
}

// CombinedBuilder builds the all-series files from the series given to
// Add. The files must be those CombinedOutputs lists for the same
// snapshots.
type CombinedBuilder interface {
	// Add adds one series: every series, in slug order, exactly once. The
	// builder must not keep snap's slices past what its files need, nor
	// modify them. After an error the builder is not used again.
	Add(snap agenda.Snapshot) error
	// Outputs lists the all-series files, after the last Add. Their
	// Render funcs may run concurrently with each other.
	Outputs() []Output
	// Close releases what the builder holds (open spill files), after
	// the outputs are rendered or abandoned.
	Close() error
}

// Options configure a Publisher.
type Options struct {
	Dir      string // output directory, created if missing
	Source   Source
	Renderer Renderer
	Now      func() time.Time // defaults to time.Now
	// BatchFiles is how many changed files are handed to the committer
	// together (default 4096); it makes every batch waiting durable with
	// one sync, then renames them.
	BatchFiles int
	// BatchBytes hands a batch over sooner when its files hold this many
	// bytes (default 32 MiB), so that the disk writes while series
	// render whatever the files' sizes.
	BatchBytes int64
	// Workers is how many series render and write at once (default
	// 4 x GOMAXPROCS: creating a file costs more waiting in the kernel than
	// rendering it costs CPU on some filesystems, see docs/performance.md).
	Workers int
}

// Result tells what one pass did.
type Result struct {
	Started        time.Time
	Duration       time.Duration
	SeriesRendered int
	FilesWritten   int
	FilesUnchanged int
	FilesRemoved   int
	// FilesRepaired counts, among FilesWritten, the files rewritten
	// because what was on disk did not match the manifest: missing, of
	// another size, or (in Repair, or a file a killed pass replaced)
	// other bytes.
	FilesRepaired int
	// Superseded: a newer edit was waiting (Supersede), so the pass left
	// the all-series files for the next one.
	Superseded bool
	// Kept lists the directories of removed series that stay because
	// they hold files the publisher did not write (the owner's), with how
	// many: the files the publisher wrote there are deleted.
	Kept []KeptDir
}

// errAbandoned tells closeNew to remove a file whose render failed.
var errAbandoned = errors.New("abandoned")

// errSuperseded ends the all-series step of a superseded pass.
var errSuperseded = errors.New("all-series files: left for the next pass, which has a newer edit")

// maxStale is how old the all-series files may be for a pass to leave
// them to the next (Supersede): under a steady stream of edits they are
// still rebuilt at least this often.
const maxStale = 30 * time.Second

// LockName is the lock file in the output directory that a Publisher
// holds (flock) from New to Close. Like the manifest it starts with a
// dot: it is never published, cleaned or served.
const LockName = ".lock"

// ErrClosed is returned by Pass after Close.
var ErrClosed = errors.New("publish: publisher closed")

// errLocked: another Publisher holds the output directory's lock.
var errLocked = errors.New("locked")

// PanicError is returned by Pass when a renderer or the source panicked;
// the pass is abandoned, and what it had published stays consistent.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic during pass: %v", e.Value) }

// Publisher runs regeneration passes over one output directory.
type Publisher struct {
	dir        string
	src        Source
	r          Renderer
	now        func() time.Time
	workers    int
	batch      int   // files per batch
	batchBytes int64 // or bytes per batch

	held heldFiles // files a pass keeps open until they are durable

	// lock holds the output directory's lock file (lockDir) until Close;
	// nil where there is no flock.
	lock *os.File

	passMu sync.Mutex // one pass at a time; Close takes it too
	closed bool       // under passMu
	cur    atomic.Pointer[Manifest]
	// superseded is set by Supersede, cleared when a pass starts.
	superseded atomic.Bool
	// combinedAt is when the all-series files were last rebuilt by this
	// process (zero: not yet); only passes touch it.
	combinedAt time.Time
	// dirty is set when the manifest in memory is ahead of the one on
	// disk (a failed manifest write), so the next pass writes it.
	dirty bool
	// obsolete holds the paths that no manifest lists any more but that
	// may still be on disk, and the directories of removed series
	// ("<slug>/"): until they are deleted, every manifest written lists
	// them as obsolete. A pass that cannot write its manifest, or panics
	// after serving its interim one, is not the last to know of them:
	// the next pass's manifest starts from the served one, which no
	// longer lists them. Only passes (and New) touch it.
	obsolete map[string]bool
	// suspect holds listed paths whose file on disk may not hold the
	// bytes the manifest hashes: a killed pass renamed a newer file over
	// them (the journal names them) and never wrote its manifest. A pass
	// renders their series and compares the file itself, not the
	// manifest, with the render. Only passes (and New) touch it.
	suspect map[string]bool
	// removed dates the files passes removed, so that one published again
	// soon after is still dated past the removed version. Only passes
	// touch it.
	removed removedDates
	// verifyAll: the output directory was replaced (checkLock); every
	// pass runs as Repair until one writes its manifest without error.
	verifyAll bool
	// kept holds the series directories that sweep left in place since
	// the last pass returned (New sweeps too); the next pass reports
	// them (Result.Kept). Only passes (and New) touch it.
	kept []KeptDir
	// beforeManifest, when set (tests), is called once a pass's files are
	// renamed into place, before its manifest is written: a panic there
	// leaves the directory as a process killed at that moment does.
	beforeManifest func()
}

// memLimit bounds how much of one output is held in memory; past it the
// render streams into its temp file. Series files are far smaller; the
// all-series calendar of a large installation is not.
const memLimit = 4 << 20

// batchFiles is the default Options.BatchFiles: how many files wait for
// the committer before they are handed to it, which joins every batch
// waiting into one sync (so a full pass over 100,000 sessions syncs at most
// a few dozen times, fewer when the disk is slow).
const batchFiles = 4096

// batchBytes is the default Options.BatchBytes. With a count alone, a
// pass that writes a few large files per series (session_calendars:
// served: five files, ~1 MB, per series of 100 sessions) sent its first
// batch after 800 of 1,000 series, and the disk idled until then: the
// kernel starts writing dirty pages on its own only past
// dirty_background_ratio (10% of memory, 2.4 GB here).
const batchBytes = 32 << 20

// New opens the output directory: it locks it (LockName; an error if
// another Publisher holds it), deletes temp files a killed process left,
// loads the manifest if there is one (so a restart neither rewrites
// unchanged files nor changes their Last-Modified) and deletes the files
// that manifest marks obsolete. An unreadable manifest is an error. Close
// releases the directory.
func New(opts Options) (_ *Publisher, err error) {
	if opts.Dir == "" || opts.Source == nil || opts.Renderer == nil {
		return nil, errors.New("publish: Dir, Source and Renderer are required")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Workers <= 0 {
		opts.Workers = min(16, 4*runtime.GOMAXPROCS(0))
	}
	if opts.BatchFiles <= 0 {
		opts.BatchFiles = batchFiles
	}
	if opts.BatchBytes <= 0 {
		opts.BatchBytes = batchBytes
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("create output dir: %w", err)
	}
	// Before anything is cleaned: what looks like a killed process's
	// leftovers may be a running one's pass.
	lock, err := lockDir(opts.Dir)
	if errors.Is(err, errLocked) {
		return nil, fmt.Errorf("output directory %s: another agendafeed process (serve or generate) is publishing there; "+
			"stop it first, or give this one another output directory", opts.Dir)
	}
	if err != nil {
		return nil, fmt.Errorf("output directory %s: %w", opts.Dir, err)
	}
	defer func() {
		if err != nil && lock != nil {
			lock.Close()
		}
	}()
	if _, err := cleanTemps(opts.Dir); err != nil {
		return nil, err
	}
	m, err := loadManifest(opts.Dir)
	if err != nil {
		return nil, err
	}
	p := &Publisher{dir: opts.Dir, src: opts.Source, r: opts.Renderer, now: opts.Now, workers: opts.Workers,
		batch: opts.BatchFiles, batchBytes: opts.BatchBytes, lock: lock, obsolete: map[string]bool{}, suspect: map[string]bool{}}
	p.held.max = heldFileBudget()
	for _, path := range m.Obsolete {
		p.obsolete[path] = true
	}
	if _, err := p.sweep(m); err != nil {
		return nil, err
	}
	pending, err := readJournal(opts.Dir)
	if err != nil {
		return nil, err
	}
	if _, _, err := p.removeFiles(pending, m); err != nil {
		return nil, err
	}
	for _, path := range pending {
		// A listed file the killed pass replaced: the manifest hashes the
		// bytes before it. Were the source then reverted (an edit undone
		// while the daemon was down), the render would equal the manifest
		// and the newer file would stay.
		if _, listed := m.Files[path]; listed {
			p.suspect[path] = true
		}
		// A staged series directory renamed into place by the killed
		// pass: its files are gone now; so is it, unless something else
		// is in it.
		if slug, ok := strings.CutSuffix(path, "/"); ok && checkPath(slug) == nil {
			if _, listed := m.Revisions[slug]; !listed {
				removeEmptyDirs(filepath.Join(opts.Dir, slug))
			}
		}
	}
	if err := removeJournal(opts.Dir); err != nil {
		return nil, err
	}
	p.cur.Store(m)
	return p, nil
}

// Close releases the output directory for another Publisher, once the
// running pass, if any, has ended; Pass then returns ErrClosed. The lock
// file stays: removing it would let a process that opened it before the
// removal and one that creates it anew both hold a lock.
func (p *Publisher) Close() error {
	p.passMu.Lock()
	defer p.passMu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	if p.lock == nil {
		return nil
	}
	if err := p.lock.Close(); err != nil { // releases the flock
		return fmt.Errorf("release output directory %s: %w", p.dir, err)
	}
	return nil
}

// checkLock makes sure the lock held is the output directory's: after the
// directory was deleted (rm -rf) or moved away and created again, the
// flock stays on the old lock file, and another process (generate) would
// find the new directory unlocked and publish beside this one. So each
// pass compares the lock file at its path with the one held (device and
// inode), and if they differ creates and locks the directory's lock file
// anew. It reports whether it did: the pass must then check every file
// (what the manifest lists may be missing, or another process's), and
// write its manifest whatever it finds.
func (p *Publisher) checkLock() (bool, error) {
	if p.lock == nil {
		return false, nil // no flock on this system (lock_other.go)
	}
	held, err := p.lock.Stat()
	if err != nil {
		return false, fmt.Errorf("output directory %s: check the lock held: %w", p.dir, err)
	}
	if now, err := os.Stat(filepath.Join(p.dir, LockName)); err == nil && os.SameFile(held, now) {
		return false, nil
	}
	if err := os.MkdirAll(p.dir, 0o755); err != nil {
		return false, fmt.Errorf("create output dir: %w", err)
	}
	lock, err := lockDir(p.dir)
	if errors.Is(err, errLocked) {
		return false, fmt.Errorf("output directory %s was replaced (deleted or moved) while this process published there, "+
			"and another agendafeed process (serve or generate) now publishes in the new one; "+
			"stop one of them: each would delete the other's files", p.dir)
	}
	if err != nil {
		return false, fmt.Errorf("output directory %s: %w", p.dir, err)
	}
	p.lock.Close() // the old directory's: nobody else can reach it
	p.lock = lock
	// Until a pass has checked every file and written its manifest here,
	// even if this one fails half-way.
	p.dirty, p.verifyAll = true, true
	// Another process may have published here in between (and been
	// killed): its temp files go, and the files its manifest or journal
	// name that this manifest does not are obsolete, deleted once this
	// pass's manifest is written.
	if _, err := cleanTemps(p.dir); err != nil {
		return true, err
	}
	cur := p.cur.Load()
	if other, err := loadManifest(p.dir); err == nil { // a broken one is replaced by this pass's
		for path := range other.Files {
			if !cur.lists(path) {
				p.obsolete[path] = true
			}
		}
		for slug := range other.Revisions {
			if !cur.lists(slug + "/") {
				p.obsolete[slug+"/"] = true
			}
		}
	}
	pending, err := readJournal(p.dir)
	if err != nil {
		return true, err
	}
	for _, path := range pending {
		if !strings.HasSuffix(path, "/") && checkPath(path) == nil && !cur.lists(path) {
			p.obsolete[path] = true
		}
	}
	if err := removeJournal(p.dir); err != nil {
		return true, err
	}
	return true, nil
}

// Supersede tells the running pass, if any, that a newer edit waits for
// the next pass. A pass past its series step then leaves the all-series
// files to that pass instead of rebuilding them without the edit (at
// 1,000 series of 100 sessions they take ~3 s, which the edit would wait
// for: passes run one at a time), unless they are older than maxStale.
// The series files it rendered are published and served as usual; the
// all-series files stay as they were, marked out of date.
func (p *Publisher) Supersede() { p.superseded.Store(true) }

// superseded reports whether the pass should leave the all-series files
// to the next.
func (st *passState) superseded() bool {
	return st.p.superseded.Load() && !st.p.combinedAt.IsZero() && st.p.now().Sub(st.p.combinedAt) < maxStale
}

// Manifest returns the current manifest. Its maps are shared: read-only.
func (p *Publisher) Manifest() Manifest { return *p.cur.Load() }

// Dir returns the output directory.
func (p *Publisher) Dir() string { return p.dir }

// Pass runs one regeneration pass; with force it renders every series and
// the all-series files even if no revision moved (unchanged bytes are
// still not rewritten). Concurrent calls run one after the other.
//
// A file counts as unchanged only if the render equals the manifest's
// entry and the file on disk is a regular file of that size (an lstat;
// hashing it too made a forced pass over 1,000 series of 100 sessions
// with nothing to write take 8.7 s instead of 3.7 s: Repair does that).
// Anything else is rewritten, and counted in FilesRepaired. A pass that
// finds the output directory replaced (deleted and created again, say)
// locks the new one and runs as Repair does.
func (p *Publisher) Pass(ctx context.Context, force bool) (Result, error) {
	return p.pass(ctx, PassOptions{Force: force}, false)
}

// PassOptions say what a pass renders beyond the series whose revision
// moved.
type PassOptions struct {
	// Force renders every series and the all-series files.
	Force bool
	// Series are rendered whatever their revision, and with them the
	// all-series files: their output changed without their data (the
	// renderer's as-of instant passed the end of one of their sessions).
	// Slugs that no longer exist are ignored.
	Series []string
}

// PassWith is Pass with the series to render whatever their revision.
func (p *Publisher) PassWith(ctx context.Context, o PassOptions) (Result, error) {
	return p.pass(ctx, o, false)
}

// Repair runs a pass that renders every series and the all-series files,
// hashes every published file on disk and rewrites those missing or
// whose bytes differ from the render, byte-identical to what a fresh
// generate writes. It is for when a file the manifest lists turns out
// missing or wrong (the server met one, someone deleted files by hand):
// a regular pass, which compares renders with the manifest and checks
// only the files of the series it renders, would not notice. It costs a
// forced pass plus reading every published file, so call it once for
// such an event, not once per request: let a pending call cover the
// requests that meet missing files meanwhile. It runs one at a time with
// Pass, and returns ErrClosed after Close.
func (p *Publisher) Repair(ctx context.Context) (Result, error) {
	return p.pass(ctx, PassOptions{Force: true}, true)
}

// pass runs one pass; with verify every file found unchanged is hashed on
// disk too.
func (p *Publisher) pass(ctx context.Context, o PassOptions, verify bool) (res Result, err error) {
	force := o.Force
	p.passMu.Lock()
	defer p.passMu.Unlock()
	if p.closed {
		return res, ErrClosed
	}
	// Before anything is written: into the directory this process holds.
	relocked, err := p.checkLock()
	if err != nil {
		return res, err
	}
	if relocked || p.verifyAll {
		// A new directory: what the manifest lists may be missing, or
		// another process's.
		force, verify = true, true
	}
	// A manifest deleted from under this process, the files left, would
	// stay missing through every pass with nothing to write (and a
	// restart would then publish from scratch): one stat sees it.
	if !p.dirty && p.cur.Load().Version > 0 {
		if _, err := os.Lstat(filepath.Join(p.dir, ManifestName)); errors.Is(err, fs.ErrNotExist) {
			p.dirty = true
		}
	}
	p.superseded.Store(false) // this pass reads the edits made so far
	// After the committer has stopped (a later defer): files of batches
	// it discarded are still held.
	defer p.held.closeAll()
	res.Started = p.now()
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
		}
		res.Duration = p.now().Sub(res.Started)
		res.Kept, p.kept = p.kept, nil
	}()

	old := p.cur.Load()
	p.removed.prune(res.Started, func(path string) bool { _, listed := old.Files[path]; return listed })
	revs, err := p.src.Revisions(ctx)
	if err != nil {
		return res, fmt.Errorf("read revisions: %w", err)
	}
	// Series (and "" for the all-series files) with a suspect file are
	// rendered again whatever their revision.
	suspect := map[string]bool{}
	suspectSeries := map[string]bool{}
	for path := range p.suspect {
		if fi, ok := old.Files[path]; ok {
			suspect[path] = true
			suspectSeries[fi.Series] = true
		} else {
			delete(p.suspect, path)
		}
	}
	due := make(map[string]bool, len(o.Series))
	for _, slug := range o.Series {
		if _, ok := revs[slug]; ok {
			due[slug] = true
		}
	}
	forceCombined := force || suspectSeries[""] || len(due) > 0
	var moved, removed []string
	var errs []error
	for slug, rev := range revs {
		if !agenda.ValidSlug(slug) {
			errs = append(errs, fmt.Errorf("series %q: not a valid slug; not published", slug))
			continue
		}
		if prev, ok := old.Revisions[slug]; force || !ok || prev != rev || suspectSeries[slug] || due[slug] {
			moved = append(moved, slug)
		}
	}
	for slug := range old.Revisions {
		if _, ok := revs[slug]; !ok {
			removed = append(removed, slug)
		}
	}
	if !forceCombined && len(moved) == 0 && len(removed) == 0 && old.Combined && !p.dirty {
		// The common case: nothing to do but retry deleting what an
		// earlier pass could not (old is the manifest on disk).
		n, err := p.sweep(old)
		res.FilesRemoved = n
		return res, errors.Join(append(errs, err)...)
	}
	slices.Sort(moved)
	slices.Sort(removed)

	st := &passState{
		p:        p,
		old:      old,
		base:     old.Files,
		revs:     maps.Clone(old.Revisions),
		res:      &res,
		ownFiles: map[string][]string{},
		snaps:    map[string]agenda.Snapshot{},
		verify:   verify,
		suspect:  suspect,
	}
	for path, fi := range old.Files {
		st.ownFiles[fi.Series] = append(st.ownFiles[fi.Series], path)
	}
	defer st.journal.close()
	// What this pass made obsolete but did not delete (it panicked, or
	// could not write its manifest) is deleted after a later manifest.
	defer st.keepObsolete()
	defer st.stopCommitter() // before the journal closes

	// Series whose revision moved, Workers at a time; with a streaming
	// renderer, the all-series builder is fed meanwhile.
	wantCombined := forceCombined || len(moved) > 0 || len(removed) > 0 || !old.Combined
	if sr, ok := p.r.(StreamingRenderer); ok && wantCombined {
		st.stream = &stream{}
		st.stream.b = sr.NewCombined(st.stream.spill(p.dir))
		defer st.stream.close()
		st.stream.slugs = slices.Sorted(maps.Keys(revs))
		st.stream.moved = make(map[string]bool, len(moved))
		for _, slug := range moved {
			st.stream.moved[slug] = true
		}
		st.stream.prefetch(ctx, p.src)
	}
	if err := st.renderSeries(ctx, moved, revs); err != nil {
		errs = append(errs, err)
	}
	// Removed series: drop their files from the manifest; they are deleted
	// once the manifest that no longer lists them is durable.
	for _, slug := range removed {
		delete(st.revs, slug)
		for _, path := range st.ownFiles[slug] {
			st.delta.remove(path)
			st.obsolete = append(st.obsolete, path)
			p.removed.add(path, old.Files[path].Modified)
		}
		st.obsoleteDirs = append(st.obsoleteDirs, slug)
	}

	// From here on st.old, which sendInterim may have trimmed, not old:
	// so that old's file list can be freed once it is no longer served.
	// The all-series files, only when something moved (or never rendered).
	combined, rendered := st.old.Combined, false
	if forceCombined || st.res.SeriesRendered > 0 || len(removed) > 0 || !st.old.Combined {
		var err error
		if st.stream != nil {
			err = st.finishCombined(ctx, revs)
		} else {
			err = st.renderCombined(ctx, revs)
		}
		switch {
		case errors.Is(err, errSuperseded):
			res.Superseded = true
			combined = false
		case err != nil:
			errs = append(errs, err)
			combined = false
		default:
			combined, rendered = true, true
		}
	}
	if err := st.commit(); err != nil {
		errs = append(errs, err)
		if rendered {
			// Perhaps an all-series file was not renamed into place:
			// render them again next pass.
			combined = false
		}
	}
	if rendered && combined {
		p.combinedAt = res.Started // they hold the edits made before it
	}
	st.snaps = nil
	if err := ctx.Err(); err != nil {
		errs = append(errs, err)
	}
	changed := p.dirty || st.served || res.FilesWritten > 0 || len(st.obsolete) > 0 || len(st.obsoleteDirs) > 0 ||
		combined != st.old.Combined || !maps.Equal(st.revs, st.old.Revisions)
	if !changed {
		// No interim manifest was served: the current one is on disk.
		n, err := p.sweep(p.cur.Load())
		res.FilesRemoved = n
		return res, errors.Join(append(errs, err)...)
	}

	st.keepObsolete()
	m := &Manifest{
		Version:   p.cur.Load().Version + 1, // past an interim one
		Generated: p.now(),
		Revisions: st.revs,
		Files:     st.delta.onto(st.base),
		Combined:  combined,
	}
	m.Obsolete = p.obsoleteFor(m)
	if p.beforeManifest != nil {
		p.beforeManifest()
	}
	if err := m.save(p.dir); err != nil {
		// The files are published; serve them, and write the manifest
		// again next pass.
		p.dirty = true
		p.cur.Store(m)
		return res, errors.Join(append(errs, err)...)
	}
	p.dirty = false
	p.cur.Store(m)
	if err := st.journal.finish(p.dir); err != nil {
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		p.verifyAll = false
	}
	n, err := p.sweep(m)
	res.FilesRemoved = n
	if err != nil {
		errs = append(errs, err)
	}
	return res, errors.Join(errs...)
}

// keepObsolete hands what the pass made obsolete to the Publisher, which
// keeps it until it is deleted.
func (st *passState) keepObsolete() {
	for _, path := range st.obsolete {
		st.p.obsolete[path] = true
	}
	for _, slug := range st.obsoleteDirs {
		st.p.obsolete[slug+"/"] = true
	}
	st.obsolete, st.obsoleteDirs = nil, nil
}

// obsoleteFor lists, sorted, the obsolete paths m does not list (files)
// or publish (series directories): those a manifest must mark obsolete.
func (p *Publisher) obsoleteFor(m *Manifest) []string {
	var out []string
	for path := range p.obsolete {
		if !m.lists(path) {
			out = append(out, path)
		}
	}
	slices.Sort(out)
	return out
}

// lists reports whether m publishes path: a file it lists, or "<slug>/"
// of a series it publishes.
func (m *Manifest) lists(path string) bool {
	if slug, ok := strings.CutSuffix(path, "/"); ok {
		_, published := m.Revisions[slug]
		return published
	}
	_, listed := m.Files[path]
	return listed
}

// sweep deletes the obsolete files and series directories that m, the
// manifest on disk, does not list, and forgets those deleted, already
// gone, or listed again; what it could not delete it keeps, for the next
// pass (and the next manifest) to try again. It returns how many files it
// deleted.
//
// A removed series' directory is not deleted whole: it may hold files of
// the owner's (docs/publishing.md allows them, and post bodies link
// img/a.png beside the page). Only the files a manifest listed go, then
// the publisher's temp files in the directories of those files, then
// those directories as far as they are empty; what stays is recorded
// (Result.Kept). A crash in between leaves the manifest on disk listing
// the files and the directory as obsolete, so the next start deletes
// the rest (a file already gone counts as deleted).
func (p *Publisher) sweep(m *Manifest) (int, error) {
	if len(p.obsolete) == 0 {
		return 0, nil
	}
	var files, dirs []string
	for _, path := range slices.Sorted(maps.Keys(p.obsolete)) {
		// A hand-edited manifest's entries are checked like its files.
		switch slug, isDir := strings.CutSuffix(path, "/"); {
		case m.lists(path) || isDir && !agenda.ValidSlug(slug) || !isDir && checkPath(path) != nil:
			delete(p.obsolete, path)
		case isDir:
			dirs = append(dirs, slug)
		default:
			files = append(files, path)
		}
	}
	// The directories the publisher made for those files: each file's
	// parents below its series directory ("madrid/sessions").
	made := map[string]map[string]bool{}
	for _, path := range files {
		slug, _, ok := strings.Cut(path, "/")
		if !ok {
			continue // an all-series file
		}
		if made[slug] == nil {
			made[slug] = map[string]bool{}
		}
		for d := pathpkg.Dir(path); d != slug; d = pathpkg.Dir(d) {
			made[slug][d] = true
		}
	}
	n, left, err := p.removeFiles(files, m)
	errs := []error{err}
	waiting := map[string]bool{}
	for _, path := range left {
		if slug, _, ok := strings.Cut(path, "/"); ok {
			waiting[slug] = true
		}
	}
	for _, path := range files {
		// A removed series whose directory must wait keeps every file
		// marked, deleted or not (a file already gone is not counted
		// again): they name the directories the publisher made there,
		// for the sweep, or the start, that removes them.
		if slug, _, ok := strings.Cut(path, "/"); ok && waiting[slug] && p.obsolete[slug+"/"] {
			continue
		}
		delete(p.obsolete, path)
	}
	for _, path := range left {
		p.obsolete[path] = true
	}
	// A series that stays loses the directories its removed files
	// emptied (sessions/ once session_calendars is served, or its last
	// session deleted): removeSeriesDir later goes only through the
	// directories of the files it removes itself, so an empty one left
	// here would hold the series' directory back as if it were the
	// owner's.
	removing := map[string]bool{}
	for _, slug := range dirs {
		removing[slug] = true
	}
	for _, slug := range slices.Sorted(maps.Keys(made)) {
		if !removing[slug] && !waiting[slug] {
			errs = append(errs, p.removeEmptied(slug, made[slug]))
		}
	}
	// After the files, and only once all of a series' are gone: its
	// directory is then empty unless something of the owner's is in it.
	for _, slug := range dirs {
		if waiting[slug] {
			continue
		}
		kept, err := p.removeSeriesDir(slug, made[slug])
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if kept >= 0 {
			p.kept = append(p.kept, KeptDir{Dir: filepath.Join(p.dir, slug), Files: kept})
		}
		delete(p.obsolete, slug+"/")
	}
	return n, errors.Join(errs...)
}

// KeptDir is a removed series' directory that stays because it holds
// files the publisher did not write (the owner's): Files counts them, in
// the directory and under it.
type KeptDir struct {
	Dir   string
	Files int
}

// removeSeriesDir deletes the directory of a removed series whose files
// are deleted: the publisher's temp files left in it and in sub (its
// subdirectories that held published files, "madrid/sessions"), then
// those directories and the series' own, deepest first, each only if it
// is then empty. It returns how many files stay under the series
// directory, or -1 when it is gone (or never was).
func (p *Publisher) removeSeriesDir(slug string, sub map[string]bool) (int, error) {
	dirs := deepestFirst(append(slices.Collect(maps.Keys(sub)), slug))
	removed := false
	for _, d := range dirs {
		full := filepath.Join(p.dir, filepath.FromSlash(d))
		if fi, err := os.Lstat(full); errors.Is(err, fs.ErrNotExist) || err == nil && !fi.IsDir() {
			// Gone, or not a directory the publisher made (a link or a
			// file of the owner's at its path): it stays.
			continue
		}
		entries, err := os.ReadDir(full)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("remove series dir %s: %w", d, err)
		}
		for _, e := range entries {
			// Only a temp file of a pass killed before it was done;
			// staged directories are never inside a series directory.
			if e.Type().IsRegular() && isTempName(e.Name()) {
				if err := os.Remove(filepath.Join(full, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return 0, fmt.Errorf("remove series dir %s: %w", d, err)
				}
			}
		}
		err = os.Remove(full)
		switch {
		case err == nil:
			removed = true
		case errors.Is(err, fs.ErrNotExist):
		case dirHasEntries(full):
			// Something of the owner's: it stays, and so do its parents.
		default:
			return 0, fmt.Errorf("remove series dir %s: %w", d, err)
		}
	}
	if removed {
		if err := syncDir(p.dir); err != nil {
			return 0, err
		}
	}
	top := filepath.Join(p.dir, slug)
	if _, err := os.Lstat(top); errors.Is(err, fs.ErrNotExist) {
		return -1, nil
	}
	kept := 0
	filepath.WalkDir(top, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			kept++
		}
		return nil
	})
	return kept, nil
}

// removeEmptied deletes the directories in sub (below series slug's, which
// stays) that are empty, deepest first; one with anything in it, or a
// link or file of the owner's at its path, stays.
func (p *Publisher) removeEmptied(slug string, sub map[string]bool) error {
	dirs := deepestFirst(slices.Collect(maps.Keys(sub)))
	removed := false
	for _, d := range dirs {
		full := filepath.Join(p.dir, filepath.FromSlash(d))
		if fi, err := os.Lstat(full); err != nil || !fi.IsDir() {
			continue
		}
		if os.Remove(full) == nil {
			removed = true
		}
	}
	if !removed {
		return nil
	}
	return syncDir(filepath.Join(p.dir, slug))
}

// deepestFirst sorts slash-separated directory paths so that each comes
// before its parent: a parent is empty only once its children are gone.
func deepestFirst(dirs []string) []string {
	slices.SortFunc(dirs, func(a, b string) int {
		if c := strings.Count(b, "/") - strings.Count(a, "/"); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	return dirs
}

// dirHasEntries reports whether dir is a directory with at least one entry
// (rmdir's ENOTEMPTY or EEXIST, told apart from other failures portably).
func dirHasEntries(dir string) bool {
	f, err := os.Open(dir)
	if err != nil {
		return false
	}
	defer f.Close()
	names, _ := f.Readdirnames(1)
	return len(names) > 0
}

// removeFiles deletes obsolete files that m does not list, then syncs the
// directories they were in. It returns how many it deleted, and those it
// could not delete.
func (p *Publisher) removeFiles(paths []string, m *Manifest) (int, []string, error) {
	n := 0
	dirs := map[string]bool{}
	var left []string
	var errs []error
	for _, path := range paths {
		if _, listed := m.Files[path]; listed || checkPath(path) != nil {
			continue
		}
		full := filepath.Join(p.dir, filepath.FromSlash(path))
		err := os.Remove(full)
		switch {
		case err == nil:
			n++
			dirs[filepath.Dir(full)] = true
		case !errors.Is(err, os.ErrNotExist):
			left = append(left, path)
			errs = append(errs, fmt.Errorf("remove %s: %w", path, err))
		}
	}
	if err := syncDirs(p.dir, slices.Sorted(maps.Keys(dirs))); err != nil && !errors.Is(err, os.ErrNotExist) {
		errs = append(errs, err)
	}
	return n, left, errors.Join(errs...)
}

// passState is one pass's work in progress. Only the pass goroutine
// touches it; render workers send it their results.
type passState struct {
	p   *Publisher
	old *Manifest
	// The pass's list of files is base with delta applied, built only for
	// a manifest (the interim one, the final one): so that while series
	// render the pass holds one list of every file, not two (~20 MB each
	// for 105,000 files), and a pass that changes nothing builds none.
	// base is old's list, then the interim manifest's, which the
	// committer owns (adds the files it published) until it is done.
	base         map[string]FileInfo
	delta        delta
	revs         map[string]int64
	res          *Result
	ownFiles     map[string][]string // series ("" = all-series) -> paths in old
	obsolete     []string
	obsoleteDirs []string
	batch        batch
	journal      journal // owned by the committer while it runs
	// committer makes batches durable and renames them into place on its
	// own goroutine, so that rendering goes on while the disk catches up;
	// nil until the first batch.
	committer *committer
	// snaps keeps the snapshots the series step rendered, for the
	// all-series step, which needs every series: so a pass reads each
	// series once. Dropped when that step is done. Unused with stream.
	snaps map[string]agenda.Snapshot
	// stream feeds a StreamingRenderer's builder; nil otherwise.
	stream *stream
	// served: an interim manifest was stored (sendInterim).
	served bool
	// verify: hash every file found unchanged against the file on disk
	// (a forced pass, Repair); suspect: the paths to hash whatever
	// verify says. Read by the workers; suspect is the pass's own copy.
	verify  bool
	suspect map[string]bool
}

// newWorker returns a worker that checks the files on disk as the pass
// asks.
func (st *passState) newWorker() *worker {
	w := st.p.newWorker()
	w.verify, w.suspect = st.verify, st.suspect
	return w
}

// rendered is one output after rendering and comparing with the manifest.
type rendered struct {
	info FileInfo
	tmp  string // temp file to rename over info.Path; "" when unchanged
	// repair: the render equals the manifest, but not the file on disk.
	repair bool
}

// seriesResult is a rendered series, or why it could not be.
type seriesResult struct {
	slug  string
	rev   int64
	snap  agenda.Snapshot // what was rendered
	files []rendered
	stage string // the staged directory holding every file, or ""
	err   error
}

// discard deletes what the series step wrote for a result that will not
// be committed.
func (r *seriesResult) discard() {
	if r.stage != "" {
		os.RemoveAll(r.stage)
		return
	}
	discardFiles(r.files)
}

// job is one series for a worker. fresh: no file of it is published, so
// it may be written into a staged directory.
type job struct {
	slug  string
	fresh bool
}

// stageDirs: series directories are staged where syncfs(2) makes a whole
// staged tree durable at once; elsewhere each file is synced and renamed.
const stageDirs = runtime.GOOS == "linux"

// renderSeries renders the moved series on Workers goroutines and commits
// their files in batches. A series that fails keeps its old files and
// revision, so the next pass retries it.
func (st *passState) renderSeries(ctx context.Context, moved []string, revs map[string]int64) error {
	if len(moved) == 0 {
		return nil
	}
	jobs := make(chan job)
	results := make(chan seriesResult, st.p.workers)
	done := make(chan struct{})
	// With a stream, at most window series are rendered ahead of the one
	// the builder waits for, so that few snapshots wait for their turn.
	var tokens chan struct{}
	if st.stream != nil {
		tokens = make(chan struct{}, 2*st.p.workers)
		st.stream.tokens = tokens
	}
	defer func() {
		close(done)
		// After a panic, workers may still be rendering: wait for them
		// (one series each at most) and delete what they wrote, so that
		// nothing of this pass is left running when Pass returns.
		for r := range results {
			r.discard()
		}
	}()
	var wg sync.WaitGroup
	old := st.old // sendInterim replaces st.old
	for range st.p.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := st.newWorker()
			for j := range jobs {
				results <- w.series(ctx, old, j, revs[j.slug])
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, slug := range moved {
			if tokens != nil {
				select {
				case tokens <- struct{}{}:
				case <-ctx.Done():
					return
				case <-done:
					return
				}
			}
			// A series with no published file may be staged whole.
			select {
			case jobs <- job{slug: slug, fresh: stageDirs && len(st.ownFiles[slug]) == 0}:
			case <-ctx.Done():
				return
			case <-done:
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()

	var errs []error
	arrived := 0
	for r := range results {
		arrived++
		if r.err != nil {
			errs = append(errs, r.err)
		} else {
			st.accept(r.slug, r.files, r.stage)
			st.revs[r.slug] = r.rev
			if st.stream == nil {
				st.snaps[r.slug] = r.snap
			}
			st.res.SeriesRendered++
		}
		last := arrived == len(moved)
		if len(st.batch.files) >= st.p.batch || st.batch.bytes >= st.p.batchBytes || last {
			st.send()
		}
		if last {
			// Accepted (and sent) before the builder takes its turn:
			// an edit to the last series in slug order would otherwise
			// wait for the builder to add every series before it.
			st.sendInterim()
		}
		if st.stream != nil {
			st.stream.arrived(ctx, st, r)
		}
	}
	// The last batch is published while the all-series files render;
	// Pass waits for it.
	st.send()
	return errors.Join(errs...)
}

// sendInterim asks the committer to serve the series files as soon as the
// batches sent so far are published, without waiting for the all-series
// files: those take seconds for a large installation (the 141 MB calendar
// of 100,000 sessions), and an edit should reach its series' subscribers
// within about a second. The manifest it stores is in memory only (the
// one on disk is written at the end of the pass, after the all-series
// files); it lists the old all-series files, which are still in place,
// and says they are out of date (Combined false), so that a pass that
// then fails leaves the next one to render them.
//
// A first pass (nothing published before) serves nothing early: there is
// no edit to hurry, and a large first pass would hold one more list of
// every file at its peak.
func (st *passState) sendInterim() {
	if st.committer == nil || st.res.SeriesRendered == 0 || len(st.old.Files) == 0 {
		return // nothing was written, nothing changes, or a first pass
	}
	// The rest of the pass reads only the old all-series files' entries
	// (the series are done), so that once the interim manifest replaces
	// the old one in Manifest, the old list of every file can be freed:
	// a pass then holds two such lists at its peak, as it did before it
	// served early.
	trimmed := *st.old
	trimmed.Files = map[string]FileInfo{}
	for path, fi := range st.old.Files {
		if fi.Series == "" {
			trimmed.Files[path] = fi
		}
	}
	st.old = &trimmed
	files := st.delta.onto(st.base)
	st.base, st.delta = files, delta{}
	st.committer.submit(commitJob{interim: &interim{
		base:  st.old,
		files: files,
		revs:  maps.Clone(st.revs),
	}})
}

// delta is changes to a list of files: entries set and paths removed.
type delta struct {
	set  map[string]FileInfo
	gone map[string]bool
}

func (d *delta) put(fi FileInfo) {
	if d.set == nil {
		d.set = map[string]FileInfo{}
	}
	d.set[fi.Path] = fi
	delete(d.gone, fi.Path)
}

func (d *delta) remove(path string) {
	delete(d.set, path)
	if d.gone == nil {
		d.gone = map[string]bool{}
	}
	d.gone[path] = true
}

// onto returns a new list: base with d applied. base is not modified; d
// is spent (its map may become the list).
func (d *delta) onto(base map[string]FileInfo) map[string]FileInfo {
	var m map[string]FileInfo
	if len(base) == 0 && d.set != nil {
		m, d.set = d.set, nil // a first pass: the list is what it set
	} else {
		m = make(map[string]FileInfo, len(base)+len(d.set))
		maps.Copy(m, base)
		maps.Copy(m, d.set)
	}
	for path := range d.gone {
		delete(m, path)
	}
	return m
}

// interim is what the committer needs to build the interim manifest: the
// pass's files and revisions when the series step ended, to which it adds
// the files it published and from which it takes back the revisions of
// series it could not publish.
type interim struct {
	base  *Manifest // the manifest the pass started from (its all-series entries)
	files map[string]FileInfo
	revs  map[string]int64
}

// renderCombined renders the all-series files from every series' snapshot:
// those the series step kept, and the others read now. It needs all
// snapshots at once; they are released as soon as it returns.
func (st *passState) renderCombined(ctx context.Context, revs map[string]int64) error {
	slugs := slices.Sorted(maps.Keys(revs))
	snaps := make([]agenda.Snapshot, 0, len(slugs))
	for _, slug := range slugs {
		if !agenda.ValidSlug(slug) {
			continue
		}
		if snap, ok := st.snaps[slug]; ok {
			snaps = append(snaps, snap)
			continue
		}
		snap, err := st.p.src.Snapshot(ctx, slug)
		if errors.Is(err, agenda.ErrNotFound) {
			continue // removed since Revisions; the next pass drops it
		}
		if err != nil {
			return fmt.Errorf("all-series files: snapshot %s: %w", slug, err)
		}
		snaps = append(snaps, snap)
	}
	if st.superseded() {
		return errSuperseded
	}
	return st.writeCombined(st.p.r.CombinedOutputs(snaps), revs)
}

// writeCombined renders the all-series files and sends them to be
// published; the pass waits for them with the last batch.
func (st *passState) writeCombined(outs []Output, revs map[string]int64) error {
	seen := map[string]bool{}
	for _, out := range outs {
		if err := checkPath(out.Path); err != nil {
			return fmt.Errorf("all-series files: %w", err)
		}
		first, _, _ := strings.Cut(out.Path, "/")
		if _, isSeries := revs[first]; isSeries || seen[out.Path] {
			return fmt.Errorf("all-series files: path %q: inside a series directory or listed twice", out.Path)
		}
		seen[out.Path] = true
	}
	// They are the tail of a full pass, and one (the calendar of every
	// session: 141 MB for 100,000 sessions) is far larger than the rest:
	// rendered one after the other they kept one core busy and the other
	// idle for a second. So each core takes the next file not yet taken.
	files := make([]rendered, len(outs))
	errs := make([]error, len(outs))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(len(outs), runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			w := st.newWorker()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(outs) {
					return
				}
				files[i], errs[i] = w.renderRecovered(st.old, outs[i])
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		discardFiles(files)
		return fmt.Errorf("all-series files: %w", err)
	}
	if st.superseded() {
		discardFiles(files)
		return errSuperseded
	}
	st.accept("", files, "")
	st.send()
	return nil
}

// renderRecovered renders one all-series file off the pass goroutine,
// where a panic would end the process: it becomes a *PanicError.
func (w *worker) renderRecovered(old *Manifest, out Output) (r rendered, err error) {
	defer func() {
		if v := recover(); v != nil {
			r, err = rendered{}, &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return w.render(old, out, "", 0, "")
}

// accept records one series' (or the all-series) rendered files: unchanged
// ones are updated in place, changed ones join the batch, and files the
// series no longer has become obsolete. With stage, the series' files are
// all in that staged directory, published by one rename.
func (st *passState) accept(series string, files []rendered, stage string) {
	now := map[string]bool{}
	staged := 0
	for _, r := range files {
		now[r.info.Path] = true
		if r.tmp != "" && r.info.Modified.IsZero() {
			// A path the manifest does not list: perhaps removed a moment
			// ago, and its date must still move past the removed
			// version's (nextModified).
			r.info.Modified = st.p.removed.prev(r.info.Path)
		}
		switch {
		case r.tmp == "":
			// Recorded only if its entry moved (a new revision, same
			// bytes): a forced pass over unchanged files records none.
			if prev, ok := st.old.Files[r.info.Path]; !ok || prev != r.info {
				st.delta.put(r.info)
			}
			st.res.FilesUnchanged++
			delete(st.p.suspect, r.info.Path) // checked on disk
		case r.repair:
			st.res.FilesRepaired++
			st.batch.add(r.tmp, filepath.Join(st.p.dir, filepath.FromSlash(r.info.Path)), r.info)
		case stage != "":
			st.batch.files = append(st.batch.files, r.info)
			st.batch.bytes += r.info.Size
			staged++
		default:
			st.batch.add(r.tmp, filepath.Join(st.p.dir, filepath.FromSlash(r.info.Path)), r.info)
		}
	}
	if stage != "" {
		if staged == 0 {
			os.RemoveAll(stage)
		} else {
			st.batch.moves = append(st.batch.moves, move{from: stage, to: filepath.Join(st.p.dir, series), n: staged, dir: series + "/"})
		}
	}
	for _, path := range st.ownFiles[series] {
		if !now[path] {
			st.delta.remove(path)
			st.obsolete = append(st.obsolete, path)
			st.p.removed.add(path, st.old.Files[path].Modified)
		}
	}
}

// batch is changed files waiting to be made durable and renamed.
type batch struct {
	moves []move
	files []FileInfo // in the order of moves: each publishes the next n
	bytes int64      // the files' sizes
}

// move is one rename that publishes n files: a temp file onto its path,
// or a staged series directory onto the series directory.
type move struct {
	from, to string
	n        int
	dir      string // "slug/" for a staged directory, journaled with its files
}

func (b *batch) add(tmp, final string, fi FileInfo) {
	b.moves = append(b.moves, move{from: tmp, to: final, n: 1})
	b.files = append(b.files, fi)
	b.bytes += fi.Size
}

// discard deletes what the batch's renames would have published.
func (b *batch) discard() { commitJob{moves: b.moves}.discard() }

func (m move) discard() {
	if m.dir != "" {
		os.RemoveAll(m.from)
	} else {
		os.Remove(m.from)
	}
}

// send hands the batch to the committer, starting it if needed. Rendering
// goes on while batches are synced and renamed: it never waits for the
// disk (the committer takes every batch waiting at once).
func (st *passState) send() {
	b := &st.batch
	if len(b.moves) == 0 {
		return
	}
	// Every path is journaled first, so that if the process dies before
	// the next manifest is written New can delete the files the manifest
	// on disk does not list, and check those it lists against their
	// render (a replaced file no longer holds the bytes it hashes); and
	// staged directories, so that it can delete them once empty.
	var fresh []string
	for _, fi := range b.files {
		fresh = append(fresh, fi.Path)
	}
	for _, m := range b.moves {
		if m.dir != "" {
			fresh = append(fresh, m.dir)
		}
	}
	if st.committer == nil {
		st.committer = startCommitter(st.p, &st.journal)
	}
	st.committer.submit(commitJob{moves: b.moves, files: b.files, fresh: fresh})
	st.batch = batch{}
}

// commit sends what is left of the batch and waits until every batch sent
// so far is published, recording those files in the pass's manifest.
func (st *passState) commit() error {
	st.send()
	c := st.committer
	if c == nil {
		return nil
	}
	st.committer = nil
	c.close()
	<-c.done
	st.served = c.served
	for _, fi := range c.written {
		st.delta.put(fi)
		st.res.FilesWritten++
		delete(st.p.suspect, fi.Path)
	}
	// A series with a file that could not be published keeps the
	// revision published before, so that the next pass renders it again
	// (the all-series files are rendered again by Pass on any error).
	c.restoreFailed(st.revs, st.old.Revisions)
	return errors.Join(c.errs...)
}

// stopCommitter ends an abandoned pass's committer (a panic or an early
// return): batches not yet published, and the one not yet sent, are
// deleted, not renamed.
func (st *passState) stopCommitter() {
	st.batch.discard()
	st.batch = batch{}
	c := st.committer
	if c == nil {
		return
	}
	st.committer = nil
	c.abort.Store(true)
	c.close()
	<-c.done
	if c.served {
		// The interim manifest stays served; the next pass writes it
		// (and, since it says the all-series files are out of date,
		// renders them).
		st.p.dirty = true
	}
}

// commitJob is one batch for the committer.
type commitJob struct {
	moves []move
	files []FileInfo
	fresh []string // paths to journal before the renames
	// interim, when set, is served once every batch sent before it is
	// published (sendInterim).
	interim *interim
}

// discard deletes what the job's renames would have published.
func (j commitJob) discard() {
	for _, m := range j.moves {
		m.discard()
	}
}

// committer publishes batches on its own goroutine, group-commit style:
// each round takes every batch sent since the last one and makes them
// durable with one sync, then renames them. So while the disk is slow the
// rounds grow and the syncs get fewer, and rendering never waits for them.
// (With at most one batch queued, rendering stalled whenever a sync ran
// long: a full pass over 100,000 sessions on ext4 ran at ~65% of the
// cores against ~92% on tmpfs.) Temp files wait for their round on disk,
// at most a pass's output; the pass reads written and errs only after done
// is closed.
type committer struct {
	p       *Publisher
	journal *journal
	mu      sync.Mutex
	queue   []commitJob
	closed  bool
	wake    chan struct{} // holds one token when queue or closed changed
	done    chan struct{}
	abort   atomic.Bool // delete the remaining batches' temp files
	written []FileInfo
	failed  map[string]bool // series ("" = all-series) with a file not published
	errs    []error
	// served is set once an interim manifest is stored: the manifest in
	// memory is then ahead of the one on disk.
	served bool
}

// restoreFailed sets each series with a file not published back to its
// revision in published (or drops it, if it had none), so that the next
// pass renders it again.
func (c *committer) restoreFailed(revs, published map[string]int64) {
	for slug := range c.failed {
		if slug == "" {
			continue // the all-series files: Combined says they are out of date
		}
		if rev, ok := published[slug]; ok {
			revs[slug] = rev
		} else {
			delete(revs, slug)
		}
	}
}

// fail records that these files were not published.
func (c *committer) fail(files []FileInfo) {
	if c.failed == nil {
		c.failed = map[string]bool{}
	}
	for _, fi := range files {
		c.failed[fi.Series] = true
	}
}

func startCommitter(p *Publisher, j *journal) *committer {
	c := &committer{p: p, journal: j, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		for {
			c.mu.Lock()
			jobs, closed := c.queue, c.closed
			c.queue = nil
			c.mu.Unlock()
			if len(jobs) == 0 {
				if closed {
					return
				}
				<-c.wake
				continue
			}
			job := mergeJobs(jobs)
			if c.abort.Load() {
				job.discard()
				continue
			}
			if len(job.moves) > 0 {
				if err := c.publish(job); err != nil {
					c.errs = append(c.errs, err)
				}
			}
			for _, j := range jobs {
				if j.interim != nil {
					c.serve(j.interim)
				}
			}
		}
	}()
	return c
}

// serve stores the interim manifest: im's files with every file published
// so far in this pass, and im's revisions less those of series with a file
// not published (as Pass records them at its end).
func (c *committer) serve(im *interim) {
	if len(c.written) == 0 && maps.Equal(im.revs, im.base.Revisions) {
		return
	}
	for _, fi := range c.written {
		im.files[fi.Path] = fi
	}
	c.restoreFailed(im.revs, im.base.Revisions)
	c.p.cur.Store(&Manifest{
		Version:   im.base.Version + 1,
		Generated: c.p.now(),
		Revisions: im.revs,
		Files:     im.files,
		Combined:  false,
	})
	c.served = true
}

// submit queues a batch for the next round.
func (c *committer) submit(job commitJob) {
	c.mu.Lock()
	c.queue = append(c.queue, job)
	c.mu.Unlock()
	c.signal()
}

// close lets the committer end once every batch queued is published (or,
// after abort, deleted).
func (c *committer) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.signal()
}

func (c *committer) signal() {
	select {
	case c.wake <- struct{}{}:
	default: // a token is waiting already
	}
}

// mergeJobs joins batches into one round, in the order they were sent.
func mergeJobs(jobs []commitJob) commitJob {
	if len(jobs) == 1 {
		return jobs[0]
	}
	var j commitJob
	for _, b := range jobs {
		// interim stays with jobs: the committer serves it after the round.
		j.moves = append(j.moves, b.moves...)
		j.files = append(j.files, b.files...)
		j.fresh = append(j.fresh, b.fresh...)
	}
	return j
}

// publish makes one batch's temp files durable, renames them into place
// and makes the renames durable; only then are they recorded as written.
func (c *committer) publish(job commitJob) error {
	if err := c.journal.add(c.p.dir, job.fresh); err != nil {
		job.discard()
		c.fail(job.files)
		return err
	}
	froms := make([]string, len(job.moves))
	for i, m := range job.moves {
		froms[i] = m.from
	}
	if err := syncFiles(c.p.dir, froms); err != nil {
		job.discard()
		c.fail(job.files)
		return err
	}
	modified := c.p.now()
	dirs := map[string]bool{}
	var errs []error
	var written []FileInfo
	files := job.files
	for _, m := range job.moves {
		fis := files[:m.n]
		files = files[m.n:]
		if err := renameFile(m.from, m.to); err != nil {
			m.discard()
			c.fail(fis)
			what := fis[0].Path
			if m.dir != "" {
				what = m.dir
			}
			errs = append(errs, fmt.Errorf("publish %s: %w", what, err))
			continue
		}
		dirs[filepath.Dir(m.to)] = true
		for _, fi := range fis {
			fi.Modified = nextModified(modified, fi.Modified)
			written = append(written, fi)
		}
	}
	// The files are in place whether or not the directories sync: record
	// them, and report the error.
	c.written = append(c.written, written...)
	// Their data is durable, so clean: let the next batch's writes reuse
	// those pages rather than take fresh ones (see dropCache).
	for _, fi := range written {
		c.p.held.drop(c.p.dir, fi.Path)
	}
	if err := syncDirs(c.p.dir, slices.Sorted(maps.Keys(dirs))); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// nextModified dates new bytes published at now at a path whose previous
// bytes were dated prev (zero for none): now in whole seconds, and at least
// a second past prev. HTTP dates have whole seconds, and a client that
// revalidates with If-Modified-Since alone gets 304 for a Last-Modified no
// later than the one it holds: two versions published within one second
// (an edit right after another, or a clock set back) must not share one.
func nextModified(now, prev time.Time) time.Time {
	t := now.Truncate(time.Second)
	if prev.IsZero() {
		return t
	}
	if after := prev.Truncate(time.Second).Add(time.Second); t.Before(after) {
		return after.In(t.Location())
	}
	return t
}

// worker renders outputs with a reusable buffer.
type worker struct {
	p    *Publisher
	buf  bytes.Buffer
	h    hash.Hash
	dirs map[string]bool // directories known to exist
	// bw is handed to every Render: the renderers write through a
	// *bufio.Writer of at least 64 KiB as they are (bufio.NewWriterSize
	// returns it) instead of allocating one per file.
	bw *bufio.Writer
	// verify and suspect: see passState; rbuf reads files to hash them.
	verify  bool
	suspect map[string]bool
	rbuf    []byte
}

// renderBuf is the size of the worker's bufio.Writer; feeds/news asks for
// 64 KiB, feeds/ical for 32 KiB.
const renderBuf = 64 << 10

func (p *Publisher) newWorker() *worker {
	return &worker{p: p, h: sha256.New(), dirs: map[string]bool{}, bw: bufio.NewWriterSize(nil, renderBuf)}
}

// series renders one series. Panics become a *PanicError result, since a
// panic on a worker goroutine would otherwise end the process.
func (w *worker) series(ctx context.Context, old *Manifest, j job, rev int64) (res seriesResult) {
	slug := j.slug
	res = seriesResult{slug: slug, rev: rev}
	defer func() {
		if v := recover(); v != nil {
			res.discard()
			res.files, res.stage = nil, ""
			res.err = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	if err := ctx.Err(); err != nil {
		res.err = err
		return res
	}
	snap, err := w.p.src.Snapshot(ctx, slug)
	if err != nil {
		res.err = fmt.Errorf("series %s: snapshot: %w", slug, err)
		return res
	}
	if snap.Series.Revision != 0 {
		res.rev = snap.Series.Revision // what was rendered, even if newer
	}
	res.snap = snap
	if j.fresh {
		// A series published for the first time (a first pass, or a new
		// series) is written whole, under its final names, into a staged
		// directory that one rename publishes: 100,000 session files cost
		// 1,000 renames, not 100,000. Only when nothing is at its path:
		// rename(2) will not replace a directory that has entries.
		if _, err := os.Lstat(filepath.Join(w.p.dir, slug)); errors.Is(err, fs.ErrNotExist) {
			tn, err := tempName(slug)
			if err != nil {
				res.err = fmt.Errorf("series %s: %w", slug, err)
				return res
			}
			res.stage = filepath.Join(w.p.dir, tn)
		}
	}
	seen := map[string]bool{}
	for _, out := range w.p.r.SeriesOutputs(snap) {
		err := checkPath(out.Path)
		if err == nil && (!strings.HasPrefix(out.Path, slug+"/") || seen[out.Path]) {
			err = fmt.Errorf("path %q: outside the series directory or listed twice", out.Path)
		}
		var r rendered
		if err == nil {
			seen[out.Path] = true
			r, err = w.render(old, out, slug, res.rev, res.stage)
		}
		if err != nil {
			res.discard()
			res.files, res.stage = nil, ""
			res.err = fmt.Errorf("series %s: %w", slug, err)
			return res
		}
		res.files = append(res.files, r)
	}
	return res
}

// discardFiles removes the temp files of outputs that will not be
// committed.
func discardFiles(files []rendered) {
	for _, r := range files {
		if r.tmp != "" {
			os.Remove(r.tmp)
		}
	}
}

// render renders one output, hashes it and compares with the manifest.
// Unchanged bytes leave no temp file; changed bytes are in a temp file
// (not yet synced) beside the final path, or with stage, at the file's own
// name in the series' staged directory.
func (w *worker) render(old *Manifest, out Output, series string, rev int64, stage string) (rendered, error) {
	if out.Render == nil {
		return rendered{}, fmt.Errorf("render %s: no Render func", out.Path)
	}
	dir := filepath.Join(w.p.dir, filepath.FromSlash(filepath.Dir(out.Path)))
	if stage != "" {
		// series() checked that out.Path is series + "/" + rest.
		dir = filepath.Join(stage, filepath.FromSlash(filepath.Dir(out.Path[len(series)+1:])))
	}
	name := filepath.Base(out.Path)
	sw := spillWriter{buf: &w.buf, h: w.h, dir: dir, name: name, path: out.Path, direct: stage != "", w: w, fd: -1}
	// A path the manifest does not list cannot be unchanged: no need to
	// hold its bytes until they are hashed (a first pass copied ~1 GB into
	// the buffer and out again, and its peak RSS was 10-18 MB higher).
	_, listed := old.Files[out.Path]
	sw.stream = streamNew && !listed
	defer func() {
		if v := recover(); v != nil {
			sw.abandon() // a temp file the render had spilled to
			panic(v)
		}
	}()
	sw.buf.Reset()
	sw.h.Reset()
	w.bw.Reset(&sw)
	err := out.Render(w.bw)
	if err == nil {
		err = w.bw.Flush()
	}
	w.bw.Reset(nil) // drop the reference to sw
	if err == nil && sw.err != nil {
		err = sw.err
	}
	if err != nil {
		sw.abandon()
		return rendered{}, fmt.Errorf("render %s: %w", out.Path, err)
	}
	var sum [sha256.Size]byte
	digest := sw.h.Sum(sum[:0])
	info := FileInfo{
		Path:        out.Path,
		Size:        sw.n,
		Revision:    rev,
		Kind:        out.Kind,
		ContentType: out.Kind.ContentType(),
		Series:      series,
	}
	repair := false
	if prev, ok := old.Files[out.Path]; ok && prev.Size == info.Size && etagOfIs(prev.ETag, digest) {
		// The render is what the manifest says is published; whether it
		// is is up to the disk.
		repair = !w.onDisk(prev, digest, w.verify || w.suspect[out.Path])
	}
	if prev, ok := old.Files[out.Path]; ok && !repair && prev.Size == info.Size && etagOfIs(prev.ETag, digest) {
		sw.abandon()
		// The manifest's own strings, not equal new ones: a forced pass
		// over 105,000 unchanged files otherwise holds a second path and
		// ETag for each until it ends (13 MB at its peak).
		info.Path, info.ETag, info.Modified = prev.Path, prev.ETag, prev.Modified
		return rendered{info: info}, nil
	}
	info.ETag = ETagOf(digest)
	if prev, ok := old.Files[out.Path]; ok {
		// The previous version's, which the committer dates the new one
		// past (nextModified).
		info.Modified = prev.Modified
	}
	tmp, err := sw.finish()
	if err != nil {
		return rendered{}, fmt.Errorf("render %s: %w", out.Path, err)
	}
	return rendered{info: info, tmp: tmp, repair: repair}, nil
}

// onDisk reports whether the file at fi.Path is the one fi lists: a
// regular file of its size and, with hash, whose sha256 is sum.
func (w *worker) onDisk(fi FileInfo, sum []byte, hash bool) bool {
	full := filepath.Join(w.p.dir, filepath.FromSlash(fi.Path))
	st, err := os.Lstat(full)
	if err != nil || !st.Mode().IsRegular() || st.Size() != fi.Size {
		return false
	}
	if !hash {
		return true
	}
	f, err := os.Open(full)
	if err != nil {
		return false
	}
	defer f.Close()
	if w.rbuf == nil {
		w.rbuf = make([]byte, renderBuf)
	}
	w.h.Reset()
	var n int64
	for {
		k, err := f.Read(w.rbuf)
		w.h.Write(w.rbuf[:k])
		n += int64(k)
		if err == io.EOF {
			break
		}
		if err != nil {
			return false
		}
	}
	var got [sha256.Size]byte
	return n == fi.Size && bytes.Equal(w.h.Sum(got[:0]), sum)
}

func (w *worker) mkdir(dir string) error {
	if w.dirs[dir] {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	w.dirs[dir] = true
	return nil
}

// spillWriter hashes what is rendered and keeps it in memory up to
// memLimit; past that it streams into the temp file, so that no output,
// however large, is held whole in memory. With stream (a new file) it
// writes everything through, from the first byte.
type spillWriter struct {
	w      *worker
	buf    *bytes.Buffer
	h      hash.Hash
	dir    string
	name   string
	path   string // the published path
	direct bool   // create name itself (in a staged directory), not a temp name
	n      int64
	f      *os.File
	tmp    string
	err    error
	// stream: write each part to the file as it comes (openNew), from
	// the first; fd is that file, -1 until then.
	stream bool
	fd     int
}

func (s *spillWriter) Write(b []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	s.h.Write(b)
	s.n += int64(len(b))
	if s.stream {
		if s.fd < 0 {
			if s.err = s.openNew(); s.err != nil {
				return 0, s.err
			}
		}
		if s.err = writeAll(s.fd, s.tmp, b); s.err != nil {
			return 0, s.err
		}
		return len(b), nil
	}
	if s.f == nil && s.buf.Len()+len(b) <= memLimit {
		return s.buf.Write(b)
	}
	if s.f == nil {
		if err := s.open(); err != nil {
			s.err = err
			return 0, err
		}
		if _, err := s.f.Write(s.buf.Bytes()); err != nil {
			s.err = err
			return 0, err
		}
		s.buf.Reset()
	}
	n, err := s.f.Write(b)
	if err != nil {
		s.err = err
	}
	return n, err
}

// tempPath sets s.tmp: the file's own name in a staged directory, else a
// temp name beside it; and makes its directory.
func (s *spillWriter) tempPath() error {
	if err := s.w.mkdir(s.dir); err != nil {
		return err
	}
	tn := s.name
	if !s.direct {
		var err error
		if tn, err = tempName(s.name); err != nil {
			return err
		}
	}
	s.tmp = filepath.Join(s.dir, tn)
	return nil
}

// openNew creates the file a streaming writer writes to.
func (s *spillWriter) openNew() error {
	if err := s.tempPath(); err != nil {
		return err
	}
	fd, err := openNew(s.tmp, 0o644)
	if err != nil {
		return err
	}
	s.fd = fd
	return nil
}

func (s *spillWriter) open() error {
	if err := s.tempPath(); err != nil {
		return err
	}
	f, err := os.OpenFile(s.tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("create temp: %w", err)
	}
	s.f = f
	return nil
}

// finish returns the temp file holding everything written.
func (s *spillWriter) finish() (string, error) {
	if s.stream {
		if s.fd < 0 { // nothing was written: an empty file
			if err := s.openNew(); err != nil {
				return "", err
			}
		}
		fd := s.fd
		s.fd = -1
		if err := closeNew(fd, s.tmp, nil, s.w.p.held.keeper(s.path)); err != nil {
			return "", err
		}
		return s.tmp, nil
	}
	if s.f == nil {
		if err := s.w.mkdir(s.dir); err != nil {
			return "", err
		}
		keep := s.w.p.held.keeper(s.path)
		if s.direct {
			path := filepath.Join(s.dir, s.name)
			return path, createFile(path, s.buf.Bytes(), 0o644, keep)
		}
		return writeTemp(s.dir, s.name, s.buf.Bytes(), 0o644, keep)
	}
	if err := s.f.Close(); err != nil {
		os.Remove(s.tmp)
		return "", fmt.Errorf("write temp: %w", err)
	}
	return s.tmp, nil
}

// abandon drops what was written.
func (s *spillWriter) abandon() {
	if s.fd >= 0 {
		closeNew(s.fd, s.tmp, errAbandoned, nil) // removes it
		s.fd = -1
	}
	if s.f != nil {
		s.f.Close()
		os.Remove(s.tmp)
	}
	if s.buf.Cap() > memLimit {
		*s.buf = bytes.Buffer{} // do not keep a huge buffer for the next file
	}
}
