#!/usr/bin/env bash
# Full regeneration pass over 100,000 sessions in 1,000 series (fake
# renderer, ~300 bytes per session per format): prints the pass time and
# peak RSS, then the time of a pass with nothing changed.
#
#   bench/pass.sh [-series N] [-sessions N] [-per BYTES] [-dir DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
go run ./bench/cmd/passbench "$@"
