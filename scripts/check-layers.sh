#!/usr/bin/env bash
# The layer check: every #include between folders of src/ must point down the floors drawn in
# README.md (the block after "<!-- floors: read by scripts/check-layers.sh -->"), never up and
# never sideways to another folder of the same floor (so there is no circle between folders),
# and every folder of src/ must stand on a floor.
#   usage: scripts/check-layers.sh [ROOT]      (ROOT: the checkout, default this one)
# Exit 0 when the tree keeps to the picture; 1 with one line per offending include otherwise.
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
readme=$root/README.md
[[ -f $readme ]] || { echo "check-layers: no $readme" >&2; exit 2; }

# "N  folder/ folder/ ...  what they are" lines of the block.
floors=$(awk '
  /<!-- floors: read by scripts\/check-layers.sh -->/ { armed = 1; next }
  armed && /^```/ { if (inside) exit; inside = 1; next }
  armed && inside { print }
' "$readme")
[[ -n $floors ]] || { echo "check-layers: no floors block in $readme" >&2; exit 2; }

declare -A floor_of=()
while read -r number rest; do
  [[ $number =~ ^[0-9]+$ ]] || continue
  for word in $rest; do
    [[ $word == */ ]] || break
    floor_of[${word%/}]=$number
  done
done <<<"$floors"

failures=0
for dir in "$root"/src/*/; do
  folder=$(basename "$dir")
  if [[ -z ${floor_of[$folder]:-} ]]; then
    echo "src/$folder/ stands on no floor of README.md's picture"
    failures=$((failures + 1))
  fi
done

# Every quoted include of src/, as "path:#include \"x/y.h\"".
while IFS= read -r hit; do
  rel=${hit%%:*}
  from=${rel#src/}
  from=${from%%/*}
  from_floor=${floor_of[$from]:-}
  [[ -n $from_floor ]] || continue
  included=${hit#*\"}
  included=${included%%\"*}
  [[ $included == */* ]] || continue
  to=${included%%/*}
  to_floor=${floor_of[$to]:-}
  [[ -n $to_floor && $to != "$from" ]] || continue
  if ((to_floor > from_floor)); then
    echo "$rel includes \"$included\": $from/ (floor $from_floor) may not include $to/ (floor $to_floor, above it)"
    failures=$((failures + 1))
  elif ((to_floor == from_floor)); then
    echo "$rel includes \"$included\": $from/ and $to/ share floor $from_floor (a sideways arrow)"
    failures=$((failures + 1))
  fi
done < <(cd "$root" && grep -rHoE --include='*.h' --include='*.cpp' \
  '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"]+"' src | sort)

if ((failures > 0)); then
  echo "check-layers: $failures arrow(s) break the floors of README.md" >&2
  exit 1
fi
echo "check-layers: every include of src/ points down the floors of README.md (${#floor_of[@]} folders)"
