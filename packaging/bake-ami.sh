#!/usr/bin/env bash
# Bakes the agent into a machine image (a Packer shell provisioner or an EC2 Image Builder
# component runs it as root on the build instance):
#   packaging/bake-ami.sh PACKAGE      install the .deb or .rpm, enable ecs.service (it starts at
#                                      the image's first boot, not now), then --clean
#   packaging/bake-ami.sh --clean      stop the agent and remove what a run left behind: its state
#                                      (the registered container instance ARN, the task
#                                      checkpoint) and its logs, so each instance started from the
#                                      image registers itself as a new container instance
# /etc/ecs/ecs.config is kept (put ECS_CLUSTER there in the image, or in the instance's user
# data). Exit 0 when done; 1 with a message naming what failed.
set -euo pipefail
say() { printf 'bake-ami: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
unit=ecs.service
[[ $(id -u) == 0 ]] || die "run as root"

have_systemd() { [[ -d /run/systemd/system ]]; }

# The data directory in effect: the unit's ECS_DATADIR (a drop-in may change it), else the default.
data_dir() {
  local env dir=/var/lib/ecs/data
  if have_systemd; then
    env=$(systemctl show -p Environment --value "$unit" 2>/dev/null || true)
    for kv in $env; do [[ $kv == ECS_DATADIR=* ]] && dir=${kv#ECS_DATADIR=}; done
  fi
  printf '%s\n' "$dir"
}

clean() {
  if have_systemd && systemctl is-active --quiet "$unit"; then
    say "stopping $unit"
    systemctl stop "$unit"
  fi
  local dir
  dir=$(data_dir)
  [[ $dir == / || -z $dir ]] && die "refusing to clean data directory '$dir'"
  if [[ -d $dir ]]; then
    say "removing the agent's state in $dir"
    find "$dir" -mindepth 1 -delete
  fi
  if [[ -d /var/log/ecs ]]; then
    say "removing the agent's logs in /var/log/ecs"
    find /var/log/ecs -mindepth 1 -delete
  fi
  if have_systemd && command -v journalctl >/dev/null; then
    say "note: the journal keeps the agent's messages; an image build usually empties it (journalctl --rotate --vacuum-time=1s)"
  fi
}

install_package() {
  local pkg=$1
  [[ -f $pkg ]] || die "$pkg: no such package file"
  case $pkg in
  *.deb)
    if command -v apt-get >/dev/null; then
      # apt resolves the container runtime dependency (docker.io) from the configured archive.
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$(realpath "$pkg")"
    else
      dpkg -i "$pkg"
    fi
    ;;
  *.rpm)
    if command -v dnf >/dev/null; then
      dnf install -y "$pkg"
    elif command -v yum >/dev/null; then
      yum install -y "$pkg"
    else
      rpm -Uvh "$pkg"
    fi
    ;;
  *) die "$pkg: expected a .deb or an .rpm" ;;
  esac
  # Enabled, not started: starting it here would register the build instance.
  systemctl enable "$unit" >/dev/null 2>&1 || die "systemctl enable $unit failed"
  say "installed ecs-agent $(/usr/bin/ecs-agent version | sed -n "s/.*Version: //p"), $unit enabled"
}

case ${1:-} in
--clean) clean ;;
"" | -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; [[ -n ${1:-} ]] ;;
*) install_package "$1"; clean ;;
esac
say done
