#!/usr/bin/env bash
# `make package`'s two packages hold exactly what the README's package table lists (path, mode,
# owner root), with the conffile kept on upgrade, the dependencies, the changelog entry and the
# maintainer scripts; and the same binary packaged twice gives the same two files.
#   ECS_AGENT_BINARY=build/ecs-agent tests/packaging/package_contents_test.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
need ECS_AGENT_BINARY
for tool in dpkg-deb rpmbuild rpm; do
  command -v $tool >/dev/null || skip "$tool is missing (scripts/deps.sh install)"
done
work=$(mktemp -d /tmp/ecs-package-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
version=$(head -n1 "$repo/VERSION")
"$repo/packaging/build-packages.sh" "$ECS_AGENT_BINARY" "$work/a" 2>/dev/null
deb=$work/a/ecs-agent_${version}-1_amd64.deb
rpm=$work/a/ecs-agent-${version}-1.x86_64.rpm
check "the .deb is named after VERSION" test -f "$deb"
check "the .rpm is named after VERSION" test -f "$rpm"

# The README's table: | `path` | mode | packages | what |
readme_rows() { # readme_rows deb|rpm -> "path mode"
  sed -n '/<!-- package-files -->/,/<!-- \/package-files -->/p' "$repo/README.md" |
    awk -F'|' -v p="$1" '/^\| `/ {
      path=$2; gsub(/[ `]/, "", path); mode=$3; gsub(/ /, "", mode); which=$4;
      if (which ~ p || which ~ /both/) print path, mode }'
}
perms_to_octal() { # drwxr-xr-x -> 0755
  local p=${1:1:9} o=0 i d n
  for i in 0 3 6; do
    n=0
    [[ ${p:i:1} == r ]] && n=$((n + 4))
    [[ ${p:i+1:1} == w ]] && n=$((n + 2))
    [[ ${p:i+2:1} == x ]] && n=$((n + 1))
    d+=$n
  done
  printf '%s%s\n' "$o" "$d"
}
deb_list() { # "path mode owner type"
  dpkg-deb -c "$deb" | while read -r perms owner _ _ _ path _; do
    path=${path#.}
    path=${path%/}
    [[ -n $path ]] || continue
    printf '%s %s %s %s\n' "$path" "$(perms_to_octal "$perms")" "$owner" "${perms:0:1}"
  done
}
rpm_list() {
  rpm -qp --qf '[%{FILENAMES} %{FILEMODES:perms} %{FILEUSERNAME}/%{FILEGROUPNAME}\n]' "$rpm" |
    while read -r path perms owner; do
      printf '%s %s %s %s\n' "$path" "$(perms_to_octal "$perms")" "$owner" "${perms:0:1}"
    done
}
compare() { # compare deb|rpm LISTING_FUNCTION
  local kind=$1 listing rows path mode
  listing=$($2)
  rows=$(readme_rows "$kind")
  [[ -n $rows ]] || fail "the README lists no files for the .$kind"
  while read -r path mode; do
    local got
    got=$(awk -v p="$path" '$1 == p' <<<"$listing")
    if [[ -z $got ]]; then
      fail ".$kind lacks $path (listed in the README)"
      continue
    fi
    read -r _ gmode gowner _ <<<"$got"
    check_eq ".$kind $path mode" "$mode" "$gmode"
    check_eq ".$kind $path owner" "root/root" "$gowner"
  done <<<"$rows"
  # Every file (not a parent directory) of the package is in the README.
  while read -r path _ _ type; do
    [[ $type == d ]] && continue
    awk -v p="$path" '$1 == p {found=1} END {exit !found}' <<<"$rows" || fail ".$kind holds $path, which the README does not list"
  done <<<"$listing"
}
compare deb deb_list
compare rpm rpm_list

# The conffile, kept on upgrade.
check_eq ".deb conffiles" "/etc/ecs/ecs.config" "$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)"
check_eq ".rpm %config(noreplace)" "/etc/ecs/ecs.config cn" \
  "$(rpm -qp --qf '[%{FILENAMES} %{FILEFLAGS:fflags}\n]' "$rpm" | awk '$2 ~ /c/ {print}')"
# Dependencies: systemd and a container runtime, nothing else.
check_eq ".deb Depends" "systemd, docker.io | docker-ce | moby-engine" "$(dpkg-deb -f "$deb" Depends)"
check_eq ".rpm Requires" "(docker or docker-ce or moby-engine) systemd" \
  "$(rpm -qp --requires "$rpm" | grep -v -e '^rpmlib(' -e '^/bin/sh$' -e '^config(' | sort | tr '\n' ' ' | sed 's/ $//')"
check_eq ".deb Version" "$version-1" "$(dpkg-deb -f "$deb" Version)"
check_eq ".rpm version" "$version-1" "$(rpm -qp --qf '%{VERSION}-%{RELEASE}' "$rpm")"
# The changelog entry of this version.
deb_changelog=$(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/share/doc/ecs-agent/changelog.Debian.gz | gzip -dc)
check ".deb changelog starts with $version-1" grep -q "^ecs-agent ($version-1) " <<<"$deb_changelog"
check ".rpm changelog names $version-1" grep -q -- "- $version-1\$" <<<"$(rpm -qp --changelog "$rpm")"
# The maintainer scripts: enable (not start) on install, restart on upgrade, stop on removal.
ctrl=$(dpkg-deb --ctrl-tarfile "$deb" | tar -t)
for s in postinst prerm postrm; do check ".deb has $s" grep -qx "./$s" <<<"$ctrl"; done
check ".deb postinst restarts a running agent on upgrade" grep -q 'try-restart' <<<"$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./postinst)"
scripts=$(rpm -qp --scripts "$rpm")
check ".rpm %post enables the unit" grep -q 'systemctl enable ecs.service' <<<"$scripts"
check ".rpm %postun restarts on upgrade" grep -q 'try-restart ecs.service' <<<"$scripts"
check ".rpm %preun stops on removal" grep -q 'disable --now ecs.service' <<<"$scripts"
# The binary inside is the one built.
check ".deb /usr/bin/ecs-agent is the built binary" cmp -s "$ECS_AGENT_BINARY" \
  <(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/bin/ecs-agent)

# The same binary, packaged again in another directory, a second later: the same bytes.
sleep 1
"$repo/packaging/build-packages.sh" "$ECS_AGENT_BINARY" "$work/b" 2>/dev/null
check "the .deb is reproducible" cmp -s "$deb" "$work/b/$(basename "$deb")"
check "the .rpm is reproducible" cmp -s "$rpm" "$work/b/$(basename "$rpm")"
# A VERSION that the changelog does not have is refused (no package without its entry).
mkdir -p "$work/c" && cp -r "$repo/packaging" "$work/c/" && echo 9.9.9 >"$work/c/VERSION"
check "a version without a changelog entry is refused" \
  bash -c '! env -u PACKAGE_VERSION "$1/packaging/build-packages.sh" "$2" "$1/out" 2>/dev/null' _ "$work/c" "$ECS_AGENT_BINARY"
finish
