#!/usr/bin/env bash
# The README's `docker run` line for the agent's image, run against the test's Docker engine with
# the local control plane on loopback: the agent registers, runs a task whose containers appear on
# that engine through the mounted socket, stops it on desiredStatus STOPPED, and exits 0 on
# `docker stop`. docker/docker-compose.yml must say the same as the line.
# Inputs (from CTest): ECS_AGENT_BINARY, ECS_LOCALCP_BINARY, ECS_DOCKERD_STATE.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=../packaging/lib.sh
source "$repo/tests/packaging/lib.sh"
need ECS_AGENT_BINARY
need ECS_LOCALCP_BINARY
need ECS_DOCKERD_STATE
docker_host=$(sed -n 's/^DOCKER_HOST=//p' "$ECS_DOCKERD_STATE" 2>/dev/null || true)
[[ -n $docker_host ]] || skip "no private Docker engine (tests/dockerd/dockerd.sh)"
export DOCKER_HOST=$docker_host
socket=${docker_host#unix://}
work=$(mktemp -d /tmp/ecs-container-test.XXXXXX)
started=$(date -u +%Y-%m-%dT%H:%M:%S)
name=ecs-agent-test-$$
tag=ecs-agent:container-test-$$
cp_pid=''
arn=arn:aws:ecs:us-west-2:000000000000:task/local/local-task-101
task_containers() {
  docker ps -aq --no-trunc --filter "label=com.amazonaws.ecs.task-arn=$arn" |
    xargs -r docker inspect -f '{{.Created}} {{.Id}}' | awk -v t="$started" '$1 >= t {print $2}' | sort
}
cleanup() {
  set +e
  ((failures > 0)) && { echo "--- control plane"; tail -n 30 "$work/cp.log"; echo "--- docker logs $name"; docker logs "$name" 2>&1 | tail -n 30; }
  docker rm -f "$name" >/dev/null 2>&1
  # shellcheck disable=SC2046
  docker rm -f $(task_containers) >/dev/null 2>&1
  docker image rm -f "$tag" >/dev/null 2>&1
  [[ -n $cp_pid ]] && kill "$cp_pid" 2>/dev/null && wait "$cp_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# The README's line, as words (it has no quoting), its continuation lines joined.
readme_line=$(sed -n '/<!-- docker-run -->/,/<!-- \/docker-run -->/p' "$repo/README.md" |
  awk '/^docker run/ {on = 1} on {line = $0; more = sub(/\\$/, "", line); printf "%s ", line; if (!more) exit}')
read -r -a words <<<"$readme_line"
check "the README has the docker run line" test "${words[0]} ${words[1]}" = "docker run"

# docker/docker-compose.yml says the same: image, name, restart, network, volumes, environment.
compose_words=$(/usr/bin/python3 - "$repo/docker/docker-compose.yml" <<'EOP'
import sys, yaml
s = yaml.safe_load(open(sys.argv[1]))["services"]["ecs-agent"]
out = ["--name=" + s["container_name"], "--restart=" + s["restart"],
       "--net=" + s["network_mode"]]
out += ["--volume=" + v for v in s["volumes"]]
out += ["--env=%s=%s" % kv for kv in s["environment"].items()]
out += [s["image"]]
print("\n".join(sorted(out)))
EOP
)
line_words=$(printf '%s\n' "${words[@]:2}" | grep -v -e '^--detach$' | sort)
check_eq "docker-compose.yml matches the README's line" "$line_words" "$compose_words"

echo "== the image, and the host directories the line mounts (under $work)"
"$repo/docker/build-image.sh" "$ECS_AGENT_BINARY" "$tag" "$work/image.tar" >/dev/null
mkdir -p "$work/etc/ecs" "$work/var/lib/ecs/data" "$work/var/log/ecs"
introspection=127.0.0.1:$(free_port)
credentials=127.0.0.1:$(free_port)
cat >"$work/script" <<EOS
wait-connection
run-task ecs-test/busybox:latest
wait-ack
wait-task RUNNING 120
stop-task
wait-task STOPPED 60
wait-file $work/finished 600
EOS
"$ECS_LOCALCP_BINARY" --dir "$work/cp" --script "$work/script" --agent-introspection-addr "$introspection" \
  --agent-credentials-addr "$credentials" >"$work/cp.log" 2>&1 &
cp_pid=$!
wait_for 20 test -s "$work/cp/agent.env" || { fail "the control plane wrote no agent.env"; exit 1; }
cp "$work/cp/ca.pem" "$work/etc/ecs/local-ca.pem"
{
  grep -v -e '^ECS_DATADIR=' -e '^AWS_CA_BUNDLE=' "$work/cp/agent.env"
  echo "AWS_CA_BUNDLE=/etc/ecs/local-ca.pem"
  echo "ECS_INTROSPECTION_ADDR=$introspection"
  echo "ECS_CREDENTIALS_ADDR=$credentials"
} >"$work/etc/ecs/ecs.config"

echo "== docker run, as the README says"
args=()
for w in "${words[@]:2}"; do
  case $w in
  --name=*) w=--name=$name ;;
  --volume=/var/run/docker.sock:*) w=--volume=$socket:${w#*:} ;;
  --volume=/*) src=${w#--volume=}; w=--volume=$work${src%%:*}:${src#*:} ;;
  ecs-agent:latest) w=$tag ;;
  esac
  args+=("$w")
done
if docker run "${args[@]}" >/dev/null; then pass "docker run ${words[*]:2}"; else fail "docker run ${args[*]}"; exit 1; fi
hostconfig=$(docker inspect -f '{{.HostConfig.Privileged}} {{.HostConfig.CapAdd}} {{.HostConfig.NetworkMode}}' "$name")
check_eq "not privileged, no capability added, host network" "false [] host" "$hostconfig"
wait_for 120 grep -q "reported the task RUNNING" "$work/cp.log" && pass "the agent in the container ran the task" ||
  fail "the task was not reported RUNNING"
check "the agent registered" grep -q "RegisterContainerInstance (signature verified)" "$work/cp.log"
ids=$(task_containers)
check_eq "the task's two containers are on the test's engine" 2 "$(wc -w <<<"$ids")"
check "the agent answers --healthcheck in its container" docker exec "$name" /agent --healthcheck
wait_for 60 grep -q "reported the task STOPPED" "$work/cp.log" && pass "desiredStatus STOPPED stopped it" ||
  fail "the task was not reported STOPPED"
running=$(docker ps -q --filter "label=com.amazonaws.ecs.task-arn=$arn" --filter status=running | grep -c . || true)
check_eq "none of the task's containers runs" 0 "$running"
check "the state is in the mounted data directory" test -n "$(ls -A "$work/var/lib/ecs/data")"
docker stop -t 10 "$name" >/dev/null
check_eq "docker stop: the agent exits 0" 0 "$(docker inspect -f '{{.State.ExitCode}}' "$name")"
touch "$work/finished"
finish
