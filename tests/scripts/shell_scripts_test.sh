#!/usr/bin/env bash
# Every shell script of the checkout parses (bash -n) and is executable, with a #! line: a
# script mangled by a C++ formatter, or written back without its mode, fails here rather than as
# a test fixture that cannot start.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
failures=0
while IFS= read -r f; do
  [[ -f $f ]] || continue
  if ! head -n1 "$f" | grep -Eq '^#!/(usr/)?bin/(env bash|bash|sh)$'; then
    echo "$f: the first line is not a #! line for bash or sh: $(head -n1 "$f")"
    failures=$((failures + 1))
  fi
  if [[ ! -x $f ]]; then
    echo "$f: not executable"
    failures=$((failures + 1))
  fi
  if ! out=$(bash -n "$f" 2>&1); then
    echo "$f: does not parse: $out"
    failures=$((failures + 1))
  fi
done < <(git ls-files '*.sh' .ci/run 2>/dev/null || find . -name '*.sh' -not -path './build*')
((failures == 0)) || { echo "shell_scripts_test: $failures problem(s)" >&2; exit 1; }
echo "shell_scripts_test: every script parses and is executable"
