#!/usr/bin/env bash
# Builds the .deb and the .rpm of a built agent binary (`make package` runs it):
#   packaging/build-packages.sh BINARY OUTDIR
# leaves OUTDIR/ecs-agent_<V>-1_amd64.deb and OUTDIR/ecs-agent-<V>-1.x86_64.rpm, V from VERSION
# (PACKAGE_VERSION=V overrides it, e.g. to make an upgrade package for a test; an entry for it
# is then added on top of packaging/changelog). Uses Debian's dpkg-deb and rpmbuild only. Every
# timestamp inside the packages is the newest changelog entry's date (SOURCE_DATE_EPOCH), so the
# same binary gives the same packages.
set -euo pipefail
binary=${1:?binary} outdir=${2:?output directory}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
say() { printf 'build-packages: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

[[ -x $binary ]] || die "$binary is not a built binary (run make build)"
for tool in dpkg-deb rpmbuild gzip; do
  command -v "$tool" >/dev/null || die "$tool is missing (scripts/deps.sh install)"
done
version=${PACKAGE_VERSION:-$(head -n1 "$top/VERSION")}
[[ $version =~ ^[0-9]+(\.[0-9]+)*$ ]] || die "version '$version' is not N.N.N"
maintainer="ecs-agent maintainers <ecs-agent@localhost>"

# ---- the changelog: "VERSION DATE" headers, "- " items, "  " continuation lines ----------------
mapfile -t lines < <(grep -v '^#' "$here/changelog")
top_version=${lines[0]%% *}
top_date=${lines[0]#* }
if [[ $version != "$top_version" ]]; then
  [[ -n ${PACKAGE_VERSION:-} ]] || die "VERSION is $version but packaging/changelog starts with $top_version: add an entry"
  lines=("$version $top_date" "- Local build of $version (PACKAGE_VERSION) on top of $top_version." "" "${lines[@]}")
fi
epoch=$(date -d "$top_date" +%s) || die "bad date in packaging/changelog: $top_date"
export SOURCE_DATE_EPOCH=$epoch

deb_changelog() {  # Debian's format
  local line v d first=1
  for line in "${lines[@]}" ""; do
    if [[ $line =~ ^[0-9] ]]; then
      [[ $first == 1 ]] || printf '\n -- %s  %s\n\n' "$maintainer" "$d"
      first=0 v=${line%% *} d=${line#* }
      printf 'ecs-agent (%s-1) stable; urgency=medium\n\n' "$v"
    elif [[ $line == "- "* ]]; then
      printf '  * %s\n' "${line#- }"
    elif [[ $line == "  "* ]]; then
      printf '    %s\n' "${line#  }"
    fi
  done
  printf '\n -- %s  %s\n' "$maintainer" "$d"
}
rpm_changelog() {  # rpm's format
  local line
  for line in "${lines[@]}"; do
    if [[ $line =~ ^[0-9] ]]; then
      printf '* %s %s - %s-1\n' "$(LC_ALL=C date -u -d "${line#* }" '+%a %b %d %Y')" "$maintainer" "${line%% *}"
    elif [[ $line == "- "* || $line == "  "* ]]; then
      printf '%s\n' "$line"
    elif [[ -z $line ]]; then
      printf '\n'
    fi
  done
}

work=$(mktemp -d /tmp/ecs-agent-package.XXXXXX)
trap 'rm -rf "$work"' EXIT

# stage ROOT UNITDIR: the installed tree, as both packages install it.
stage() {
  local root=$1 unitdir=$2
  install -d -m 0755 "$root/usr/bin" "$root$unitdir" "$root/etc/ecs" "$root/var/lib/ecs" \
    "$root/var/log/ecs" "$root/usr/share/doc/ecs-agent"
  install -d -m 0700 "$root/var/lib/ecs/data"
  install -m 0755 "$binary" "$root/usr/bin/ecs-agent"
  install -m 0644 "$here/ecs.service" "$root$unitdir/ecs.service"
  install -m 0600 "$here/ecs.config" "$root/etc/ecs/ecs.config"
  install -m 0644 "$here/copyright" "$root/usr/share/doc/ecs-agent/copyright"
}
clamp() { find "$1" -exec touch -h -d "@$epoch" {} +; }
mkdir -p "$outdir"

# ---- .deb ------------------------------------------------------------------------------------------
deb=$work/deb
stage "$deb" /lib/systemd/system
deb_changelog | gzip -9n >"$deb/usr/share/doc/ecs-agent/changelog.Debian.gz"
chmod 0644 "$deb/usr/share/doc/ecs-agent/changelog.Debian.gz"
install -d -m 0755 "$deb/DEBIAN"
size_kib=$(du -sk --exclude=DEBIAN "$deb" | cut -f1)
sed -e "s/@VERSION@/$version-1/" -e "s/@INSTALLED_SIZE@/$size_kib/" "$here/deb/control.in" >"$deb/DEBIAN/control"
echo /etc/ecs/ecs.config >"$deb/DEBIAN/conffiles"
for s in postinst prerm postrm; do install -m 0755 "$here/deb/$s" "$deb/DEBIAN/$s"; done
chmod 0644 "$deb/DEBIAN/control" "$deb/DEBIAN/conffiles"
clamp "$deb"
deb_file=$outdir/ecs-agent_${version}-1_amd64.deb
dpkg-deb --root-owner-group -Zxz --build "$deb" "$deb_file" >/dev/null
say "$deb_file"

# ---- .rpm ------------------------------------------------------------------------------------------
rpmstage=$work/rpmstage
stage "$rpmstage" /usr/lib/systemd/system
clamp "$rpmstage"
mkdir -p "$work/rpm/SPECS"
{
  sed -e "s/@VERSION@/$version/" -e '/@CHANGELOG@/,$d' "$here/rpm/ecs-agent.spec.in"
  rpm_changelog
} >"$work/rpm/SPECS/ecs-agent.spec"
# The binary is already stripped and static: none of rpmbuild's post-install scripts apply.
rpmbuild --quiet -bb "$work/rpm/SPECS/ecs-agent.spec" \
  --define "_topdir $work/rpm" --define "stage $rpmstage" \
  --define "__os_install_post %{nil}" --define "_build_id_links none" \
  --define "use_source_date_epoch_as_buildtime 1" --define "clamp_mtime_to_source_date_epoch 1" \
  --define "_buildhost ecs-agent-build" >"$work/rpmbuild.log" 2>&1 ||
  { cat "$work/rpmbuild.log" >&2; die "rpmbuild failed"; }
rpm_file=$outdir/ecs-agent-${version}-1.x86_64.rpm
cp "$work/rpm/RPMS/x86_64/ecs-agent-${version}-1.x86_64.rpm" "$rpm_file"
say "$rpm_file"
