#!/usr/bin/env bash
# The .deb on a Debian system where systemd really runs: a debootstrap'd root booted with
# systemd-nspawn (host network, so the local control plane on loopback is reached; the test's
# Docker engine's socket bound at /var/run/docker.sock). Install with the bake script, boot, the
# unit runs the agent, a task runs on the engine, `dpkg -i` of a newer package restarts the agent
# and it keeps the task (no container made twice), exit 5 is not restarted and a crash is,
# `bake-ami.sh --clean` leaves no state. Inputs (from CTest): ECS_AGENT_BINARY,
# ECS_LOCALCP_BINARY, ECS_DOCKERD_STATE.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
need ECS_AGENT_BINARY
need ECS_LOCALCP_BINARY
need ECS_DOCKERD_STATE
[[ $(id -u) == 0 ]] || skip "needs root (systemd-nspawn)"
for tool in systemd-nspawn nsenter dpkg-deb rpmbuild debootstrap; do
  command -v $tool >/dev/null || skip "$tool is missing (scripts/deps.sh install)"
done
docker_host=$(sed -n 's/^DOCKER_HOST=//p' "$ECS_DOCKERD_STATE" 2>/dev/null || true)
[[ -n $docker_host ]] || skip "no private Docker engine (tests/dockerd/dockerd.sh)"
socket=${docker_host#unix://}
export DOCKER_HOST=$docker_host

work=$(mktemp -d /var/tmp/ecs-systemd-test.XXXXXX)
started=$(date -u +%Y-%m-%dT%H:%M:%S)
root=$work/root
nspawn_pid='' cp_pid=''
cleanup() {
  set +e
  if [[ -n $nspawn_pid ]] && kill -0 "$nspawn_pid" 2>/dev/null; then
    in_root systemctl poweroff >/dev/null 2>&1
    for _ in $(seq 1 100); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$nspawn_pid" 2>/dev/null
    wait "$nspawn_pid" 2>/dev/null
  fi
  [[ -n $cp_pid ]] && kill "$cp_pid" 2>/dev/null && wait "$cp_pid" 2>/dev/null
  # shellcheck disable=SC2046
  [[ -n ${task_filter:-} ]] && docker rm -f $(task_containers) >/dev/null 2>&1
  if ((failures > 0)); then
    echo "--- the control plane's output"; tail -n 40 "$work/cp.log"
    echo "--- the booted system's console"; tail -n 30 "$work/console.log"
    [[ -f $work/journal.txt ]] && { echo "--- journalctl -u ecs"; tail -n 60 "$work/journal.txt"; }
  fi
  rm -rf "$work"
}
trap cleanup EXIT
leader=''
in_root() { nsenter --target "$leader" --mount --uts --ipc --pid --root --wd=/ -- "$@"; }
unit_prop() { in_root systemctl show -p "$1" --value ecs.service; }

echo "== packages 0.1.0 and an upgrade 0.1.1 of the same binary"
version=$(head -n1 "$repo/VERSION")
"$repo/packaging/build-packages.sh" "$ECS_AGENT_BINARY" "$work/pkg" 2>/dev/null
next=${version%.*}.$((${version##*.} + 1))
PACKAGE_VERSION=$next "$repo/packaging/build-packages.sh" "$ECS_AGENT_BINARY" "$work/pkg" 2>/dev/null
deb=ecs-agent_${version}-1_amd64.deb
deb_next=ecs-agent_${next}-1_amd64.deb

echo "== a Debian root with systemd"
"$here/systemd-root.sh" "$root"
cp "$work/pkg/$deb" "$work/pkg/$deb_next" "$repo/packaging/bake-ami.sh" "$root/var/tmp/"
# A stand-in for the container runtime package (the engine itself is the test's, bound in).
mkdir -p "$work/fake/DEBIAN"
printf 'Package: docker.io\nVersion: 99.0-test\nArchitecture: all\nMaintainer: test <t@localhost>\nDescription: stand-in\n' \
  >"$work/fake/DEBIAN/control"
dpkg-deb --root-owner-group --build "$work/fake" "$root/var/tmp/docker.io.deb" >/dev/null

echo "== the bake script installs the package"
check "without a container runtime the .deb is refused" bash -c "! chroot '$root' dpkg -i /var/tmp/$deb"
chroot "$root" dpkg --purge ecs-agent >/dev/null 2>&1 || true
chroot "$root" dpkg -i /var/tmp/docker.io.deb >/dev/null
if chroot "$root" /var/tmp/bake-ami.sh "/var/tmp/$deb" >"$work/bake.log" 2>&1; then pass "bake-ami.sh installs it"; else
  fail "bake-ami.sh installs it: $(tail -n 5 "$work/bake.log")"
fi
check_eq "installed version" "$version-1" "$(chroot "$root" dpkg-query -W -f '${Version}' ecs-agent)"
check_eq "binary mode" "755 root:root" "$(stat -c '%a %U:%G' "$root/usr/bin/ecs-agent")"
check_eq "config mode" "600 root:root" "$(stat -c '%a %U:%G' "$root/etc/ecs/ecs.config")"
check_eq "data directory mode" "700 root:root" "$(stat -c '%a %U:%G' "$root/var/lib/ecs/data")"
check_eq "log directory mode" "755 root:root" "$(stat -c '%a %U:%G' "$root/var/log/ecs")"
check "the unit is enabled for multi-user.target" test -L "$root/etc/systemd/system/multi-user.target.wants/ecs.service"
if out=$(chroot "$root" systemd-analyze verify /lib/systemd/system/ecs.service 2>&1) && [[ -z $out ]]; then
  pass "systemd-analyze verify ecs.service"
else
  fail "systemd-analyze verify ecs.service: $out"
fi

echo "== the local control plane, and the agent's configuration"
introspection=127.0.0.1:$(free_port)
credentials=127.0.0.1:$(free_port)
cat >"$work/script" <<EOS
wait-connection
run-task ecs-test/busybox:latest
wait-ack
wait-task RUNNING 120
wait-file $work/upgraded 300
wait-connections 2
show-tasks
stop-task
wait-task STOPPED 60
wait-file $work/finished 600
EOS
"$ECS_LOCALCP_BINARY" --dir "$work/cp" --script "$work/script" --agent-introspection-addr "$introspection" \
  --agent-credentials-addr "$credentials" >"$work/cp.log" 2>&1 &
cp_pid=$!
wait_for 20 test -s "$work/cp/agent.env" || { fail "the control plane wrote no agent.env"; exit 1; }
cp "$work/cp/ca.pem" "$root/etc/ecs/local-ca.pem"
{
  echo "# the test's settings, on top of the package's commented file"
  grep -v -e '^ECS_DATADIR=' -e '^AWS_CA_BUNDLE=' "$work/cp/agent.env"
  echo "AWS_CA_BUNDLE=/etc/ecs/local-ca.pem"
  echo "ECS_INTROSPECTION_ADDR=$introspection"
  echo "ECS_CREDENTIALS_ADDR=$credentials"
  echo "ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION=1h"
  echo "# overridden by the unit's environment: the agent says so"
  echo "ECS_DATADIR=/not/used"
} >>"$root/etc/ecs/ecs.config"
cp "$root/etc/ecs/ecs.config" "$work/ecs.config.edited"

echo "== boot"
systemd-nspawn -q -D "$root" --boot --register=no --keep-unit --bind="$socket:/var/run/docker.sock" \
  >"$work/console.log" 2>&1 </dev/null &
nspawn_pid=$!
find_leader() {
  local p
  for p in $(pgrep -P "$nspawn_pid"); do
    [[ $(cat "/proc/$p/comm" 2>/dev/null) == systemd ]] && { leader=$p; return 0; }
  done
  return 1
}
wait_for 30 find_leader || { fail "systemd did not start in the container"; exit 1; }
export leader
export -f in_root unit_prop
wait_for 60 in_root systemctl is-active --quiet ecs.service && pass "systemd started ecs.service at boot" ||
  fail "ecs.service is not active after boot: $(unit_prop ActiveState)"
check_eq "the unit's main process is the agent" "/usr/bin/ecs-agent run" \
  "$(in_root systemctl show -p ExecStart --value ecs.service | sed -n 's/.*argv\[\]=\([^;]*\) ;.*/\1/p' | sed 's/ *$//')"

echo "== a task through the agent of the unit"
wait_for 150 grep -q "reported the task RUNNING" "$work/cp.log" && pass "the task was reported RUNNING" ||
  fail "the task was not reported RUNNING"
task_filter=label=com.amazonaws.ecs.task-arn=arn:aws:ecs:us-west-2:000000000000:task/local/local-task-101
# The task's containers made since this test started (the engine is shared with other tests).
task_containers() {
  docker ps -aq --no-trunc --filter "$task_filter" | xargs -r docker inspect -f '{{.Created}} {{.Id}}' |
    awk -v t="$started" '$1 >= t {print $2}' | sort
}
ids_before=$(task_containers)
check_eq "the task's two containers are on the engine" 2 "$(wc -w <<<"$ids_before")"
check "a task container runs" test -n "$(docker ps -q --filter "$task_filter" --filter status=running)"
in_root journalctl -u ecs.service --no-pager -o cat >"$work/journal.txt" 2>&1 || true
check "the agent logs to the journal" grep -q 'registered container instance' "$work/journal.txt"
check "the agent warns that the unit's environment overrides ECS_DATADIR" \
  grep -q 'the environment overrides the config file.s value.*variable=ECS_DATADIR' "$work/journal.txt"
check "check-config says so too" bash -c 'in_root env ECS_DATADIR=/var/lib/ecs/data /usr/bin/ecs-agent check-config | grep -q "note: ECS_DATADIR in /etc/ecs/ecs.config is not used"'
check "the state is in the unit's ECS_DATADIR" test -n "$(ls -A "$root/var/lib/ecs/data" 2>/dev/null)"

echo "== upgrade with dpkg over the running agent"
pid_before=$(unit_prop MainPID)
if in_root dpkg -i "/var/tmp/$deb_next" </dev/null >"$work/upgrade.log" 2>&1; then pass "dpkg -i $deb_next"; else
  fail "dpkg -i $deb_next: $(tail -n 5 "$work/upgrade.log")"
fi
check_eq "upgraded version" "$next-1" "$(in_root dpkg-query -W -f '${Version}' ecs-agent)"
wait_for 30 in_root systemctl is-active --quiet ecs.service || fail "ecs.service not active after the upgrade"
pid_after=$(unit_prop MainPID)
if [[ $pid_after != "$pid_before" && $pid_after != 0 ]]; then pass "the upgrade restarted the agent"; else
  fail "the upgrade did not restart the agent (MainPID $pid_before -> $pid_after)"
fi
check "the edited ecs.config is kept" cmp -s "$work/ecs.config.edited" "$root/etc/ecs/ecs.config"
touch "$work/upgraded"
wait_for 60 grep -q "GET http://$introspection/v1/tasks → 200" "$work/cp.log" &&
  pass "the restarted agent reconnected" || fail "the restarted agent did not reconnect"
check "the restarted agent still knows the task" grep -q "GET http://$introspection/v1/tasks → 200.*local-task-101" "$work/cp.log"
wait_for 90 grep -q "reported the task STOPPED" "$work/cp.log" && pass "the restarted agent stopped the task" ||
  fail "the restarted agent did not report the task STOPPED"
ids_after=$(task_containers)
check_eq "no container was made twice" "$ids_before" "$ids_after"

echo "== exit 5 is not restarted, a crash is"
in_root systemctl stop ecs.service
echo "ECS_LOGLEVEL=loud" >>"$root/etc/ecs/ecs.config"
in_root systemctl start ecs.service || true
wait_for 20 bash -c '[[ $(unit_prop ActiveState) == failed ]]' ||
  fail "an invalid setting did not fail the unit: $(unit_prop ActiveState)"
check_eq "the agent exited 5" 5 "$(unit_prop ExecMainStatus)"
sleep 13 # RestartSec=10s and a margin
check_eq "systemd did not restart it (RestartPreventExitStatus=5)" "failed 0" "$(unit_prop ActiveState) $(unit_prop NRestarts)"
in_root journalctl -u ecs.service --no-pager -o cat >"$work/journal.txt" 2>&1 || true
check "the journal names the bad setting" grep -q 'ECS_LOGLEVEL="loud"' "$work/journal.txt"
sed -i '/^ECS_LOGLEVEL=loud$/d' "$root/etc/ecs/ecs.config"
in_root systemctl reset-failed ecs.service
in_root systemctl start ecs.service
wait_for 20 in_root systemctl is-active --quiet ecs.service || fail "ecs.service did not start again"
in_root systemctl kill --signal=SIGKILL ecs.service
wait_for 30 bash -c '[[ $(unit_prop NRestarts) == 1 ]]' &&
  pass "a SIGKILLed agent is restarted (NRestarts 1)" || fail "a SIGKILLed agent was not restarted: $(unit_prop NRestarts)"
wait_for 20 in_root systemctl is-active --quiet ecs.service || fail "ecs.service not active after its restart"

echo "== bake-ami.sh --clean"
if in_root /var/tmp/bake-ami.sh --clean >"$work/clean.log" 2>&1; then pass "bake-ami.sh --clean"; else
  fail "bake-ami.sh --clean: $(tail -n 5 "$work/clean.log")"
fi
check_eq "the agent is stopped" inactive "$(unit_prop ActiveState)"
check_eq "no state is left" "" "$(ls -A "$root/var/lib/ecs/data")"
check_eq "no log is left" "" "$(ls -A "$root/var/log/ecs")"
check "the unit is still enabled" in_root systemctl is-enabled --quiet ecs.service
check "the config is kept" test -s "$root/etc/ecs/ecs.config"
touch "$work/finished"
finish
