#!/usr/bin/env bash
# The layer check itself: today's tree passes; a copy of it where a core file includes app/
# (an arrow up), where two folders of one floor include each other, or with a folder the
# picture does not name, fails with a line naming the file and the include.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
check=$repo/scripts/check-layers.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() { echo "check_layers_test: $*" >&2; exit 1; }

"$check" "$repo" >/dev/null || fail "today's tree does not pass: $("$check" "$repo" 2>&1 | head -5)"

copy() {
  rm -rf "$tmp/tree"
  mkdir -p "$tmp/tree"
  cp -r "$repo/src" "$repo/README.md" "$tmp/tree/"
}

copy
echo '#include "app/agent.h"' >>"$tmp/tree/src/core/error.h"
if out=$("$check" "$tmp/tree" 2>&1); then fail "an include of app/ from core/ passed"; fi
grep -q 'src/core/error.h includes "app/agent.h": core/ (floor 1) may not include app/' <<<"$out" ||
  fail "the up-arrow was not named: $out"

copy
echo '#include "dockerapi/client.h"' >>"$tmp/tree/src/task/task.h"
if out=$("$check" "$tmp/tree" 2>&1); then fail "a sideways include passed"; fi
grep -q 'src/task/task.h includes "dockerapi/client.h"' <<<"$out" || fail "the sideways arrow was not named: $out"

copy
mkdir -p "$tmp/tree/src/attic"
echo '#pragma once' >"$tmp/tree/src/attic/x.h"
if out=$("$check" "$tmp/tree" 2>&1); then fail "a folder on no floor passed"; fi
grep -q 'src/attic/ stands on no floor' <<<"$out" || fail "the unplaced folder was not named: $out"
echo "check_layers_test: passed"
