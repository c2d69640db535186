#!/usr/bin/env bash
# Regeneration pass timings.
#
#   bench/pass.sh [realpass flags]   real renderers over a real SQLite database
#                                    (1,000 series x 100 sessions, built once and
#                                    cached under $TMPDIR/agendafeed-bench): full
#                                    forced first pass into an empty dir (time,
#                                    CPU time, peak RSS), no-change pass, one
#                                    series changed. Flags: -series -sessions
#                                    -out DIR (e.g. /dev/shm/x for tmpfs)
#                                    -cpuprofile F (full pass) -editprofile F (the pass
#                                    after one edit) -trace F -memprofile F -memtrace
#                                    -daemon N (then run the daemon and time N edits
#                                    by another connection until served over HTTP)
#                                    -session-calendars files (every pass writes
#                                    one .ics per session, as generate does;
#                                    default served, as the daemon: with -daemon,
#                                    times them rendered on request)
#                                    -gap D (with -daemon: from one edit served to
#                                    the next edit; default 5s)
#   bench/pass.sh -floor -like DIR -out NEW
#                                    the filesystem alone: recreates DIR's files
#                                    (a kept -out of a real pass) in NEW, with no
#                                    rendering, hashing, renaming or syncing;
#                                    run it beside a pass to see the floor;
#                                    -sync: then one syncfs; -batch 33554432:
#                                    sync and drop every 32 MiB on a goroutine
#                                    of its own, as the publisher does
#   bench/pass.sh -fake [passbench flags]
#                                    the fake renderer (~300 bytes per session per
#                                    format): -series -sessions -per -dir
#
# GOMEMLIMIT (e.g. GOMEMLIMIT=300MiB) is honoured by both.
#
# On journal-less ext4, creating files within 60-360 s of deleting many on
# the same filesystem is slow (docs/performance.md, "Recently deleted
# inodes"): the default output dir is removed at the end, so wait 6 minutes
# before the next run, or pass -out with a new directory each time and
# delete those only after the last run.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = -floor ]; then
	shift
	exec go run ./bench/cmd/fsfloor "$@"
fi
if [ "${1:-}" = -fake ]; then
	shift
	exec go run ./bench/cmd/passbench "$@"
fi
exec go run ./bench/cmd/realpass "$@"
