#!/usr/bin/env bash
# Checks GPU assignment on a real GPU host, the way interLink would drive the plugin: starts the
# sidecar, sends interLink-shaped bodies with curl, and reads what each container saw with
# `nvidia-smi -L`. Checks that the ping declares every GPU (as a string), that N one-GPU pods see
# one device each and never the same, that a pod without GPUs sees none, that one pod too many is
# refused with UnexpectedAdmissionError, and that a pod asking for every GPU sees them all once the
# others are gone.
#
# Needs: nvidia-smi and the NVIDIA container toolkit on the host, docker, curl, node, `npm ci`
# done, and an image with a shell (the toolkit puts nvidia-smi into the container).
#
# Usage: bash scripts/gpu-check.sh [--mode toolkit|runtime|env] [--image IMAGE] [--port PORT]
# Env:   GPU_CHECK_MODE (toolkit), GPU_CHECK_IMAGE (ubuntu:24.04), GPU_CHECK_PORT (4999)
# Exit:  0 when every check passed.
set -euo pipefail

MODE=${GPU_CHECK_MODE:-toolkit}
IMAGE=${GPU_CHECK_IMAGE:-ubuntu:24.04}
PORT=${GPU_CHECK_PORT:-4999}
while [[ $# -gt 0 ]]; do
  case $1 in
    --mode) MODE=$2; shift 2 ;;
    --image) IMAGE=$2; shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    *) echo "gpu-check: unknown argument $1 (see the top of $0)" >&2; exit 2 ;;
  esac
done

log() { printf 'gpu-check: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

cd "$(dirname "$0")/.."
for tool in nvidia-smi docker curl node; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed; this check needs a GPU host with it"
done

mapfile -t HOST_UUIDS < <(nvidia-smi --query-gpu=uuid --format=csv,noheader | tr -d ' ')
N=${#HOST_UUIDS[@]}
[[ $N -gt 0 ]] || die "nvidia-smi lists no GPU"
log "host GPUs ($N): ${HOST_UUIDS[*]}"

docker image inspect "$IMAGE" >/dev/null 2>&1 || docker pull "$IMAGE" >/dev/null ||
  die "image $IMAGE is neither here nor pullable: set GPU_CHECK_IMAGE to one with a shell"

WORK=$(mktemp -d /tmp/gpu-check.XXXXXX)
INSTANCE="gpu-check-$$"
URL="http://127.0.0.1:$PORT"
PLUGIN_PID=""
CREATED=()
PASSED=0
FAILED=0

pass() { PASSED=$((PASSED + 1)); log "PASS $*"; }
fail() { FAILED=$((FAILED + 1)); log "FAIL $*"; }

# One call as interLink makes it: JSON content type, a session header, GET with a body.
call() {
  local method=$1 path=$2 body=$3
  curl -sS -o "$WORK/answer" -w '%{http_code}' -X "$method" \
    -H 'Content-Type: application/json' -H "InterLink-Http-Session: GpuCheck#$RANDOM" \
    --data-binary "$body" "$URL$path"
}

# pod_json NAME GPUS: a pod as the Virtual Kubelet sends it, one container printing what it sees.
pod_json() {
  local name=$1 gpus=$2 uid resources=''
  uid=$(cat /proc/sys/kernel/random/uuid)
  echo "$uid" >"$WORK/$name.uid"
  if [[ $gpus -gt 0 ]]; then
    resources="\"limits\": {\"nvidia.com/gpu\": \"$gpus\"}, \"requests\": {\"nvidia.com/gpu\": \"$gpus\"}"
  fi
  cat >"$WORK/$name.pod" <<EOF
{"metadata": {"name": "$name", "namespace": "default", "uid": "$uid",
  "creationTimestamp": "$(date -u +%Y-%m-%dT%H:%M:%SZ)"},
 "spec": {"containers": [{"name": "main", "image": "$IMAGE",
   "command": ["sh", "-c", "nvidia-smi -L 2>&1 || echo 'no nvidia-smi'; echo gpu-check-done; exec sleep 600"],
   "resources": {$resources}, "imagePullPolicy": "IfNotPresent"}],
  "restartPolicy": "Never", "terminationGracePeriodSeconds": 0, "nodeName": "gpu-check"},
 "status": {"phase": "Pending"}}
EOF
}

create_body() {
  local name=$1
  printf '{"pod": %s, "container": [{"name": "main", "configMaps": null, "projectedvolumemaps": null, "secrets": null, "emptyDirs": null}], "jobConfig": {"SingularityHubProxy": {"server": "", "master_token": "", "cache_validity_seconds": 0}}}' \
    "$(cat "$WORK/$name.pod")"
}

logs_body() {
  local name=$1
  printf '{"Namespace": "default", "PodUID": "%s", "PodName": "%s", "ContainerName": "main", "Opts": {"Tail": 0, "Bytes": 0, "Timestamps": false, "Follow": false, "Previous": false, "SinceSeconds": 0, "SinceTime": "0001-01-01T00:00:00Z"}}' \
    "$(cat "$WORK/$name.uid")" "$name"
}

# create NAME GPUS: 0 when the plugin answered 200; the HTTP status is in $STATUS.
create() {
  pod_json "$1" "$2"
  STATUS=$(call POST /create "$(create_body "$1")")
  if [[ $STATUS == 200 ]]; then CREATED+=("$1"); return 0; fi
  return 1
}

delete() {
  local name=$1 status
  status=$(call POST /delete "$(cat "$WORK/$name.pod")")
  [[ $status == 200 ]] || log "delete of $name answered $status: $(cat "$WORK/answer")"
}

# seen NAME: the GPU UUIDs the container printed, one a line, once it has printed them.
seen() {
  local name=$1 deadline=$((SECONDS + 180))
  while ((SECONDS < deadline)); do
    if [[ $(call GET /getLogs "$(logs_body "$name")") == 200 ]] && grep -q gpu-check-done "$WORK/answer"; then
      grep -o 'UUID: [A-Za-z0-9-]*' "$WORK/answer" | sed 's/^UUID: //' | sort || true
      return 0
    fi
    sleep 1
  done
  die "$name printed nothing in 180 s; last answer: $(cat "$WORK/answer"); plugin log: $WORK/plugin.log"
}

cleanup() {
  local rc=$? name
  for name in "${CREATED[@]}"; do delete "$name" || true; done
  if [[ -n $PLUGIN_PID ]]; then
    kill "$PLUGIN_PID" 2>/dev/null || true
    wait "$PLUGIN_PID" 2>/dev/null || true
  fi
  mapfile -t left < <(docker ps -aq --filter "label=io.interlink.docker-plugin.instance=$INSTANCE")
  if [[ ${#left[@]} -gt 0 ]]; then docker rm -f "${left[@]}" >/dev/null || true; fi
  if [[ $rc -eq 0 ]]; then rm -rf "$WORK"; else log "plugin log kept in $WORK/plugin.log"; fi
}
trap cleanup EXIT

log "starting the sidecar on $URL (gpu mode $MODE, instance $INSTANCE)"
node scripts/build.mjs >/dev/null
node dist/src/main.mjs --listen "127.0.0.1:$PORT" --instance "$INSTANCE" --state-dir "$WORK/state" \
  --gpu-mode "$MODE" >"$WORK/plugin.log" 2>&1 &
PLUGIN_PID=$!
for _ in $(seq 1 60); do
  curl -sf "$URL/healthz" >/dev/null 2>&1 && break
  kill -0 "$PLUGIN_PID" 2>/dev/null || die "the sidecar exited: $(tail -5 "$WORK/plugin.log")"
  sleep 0.5
done
curl -sf "$URL/healthz" >/dev/null || die "the sidecar did not answer /healthz in 30 s"

# The ping: interLink sends GET /status with [] and reads a PingResponse.
call GET /status '[]' >/dev/null
declared=$(node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  process.stdout.write(JSON.stringify(r.resources?.accelerators ?? null))' "$WORK/answer")
want="[{\"resourceType\":\"nvidia.com/gpu\",\"available\":\"$N\"}]"
if [[ $declared == "$want" ]]; then pass "the ping declares $N GPUs as a string"; else fail "the ping declares $declared, want $want"; fi

# One one-GPU pod per GPU: each sees exactly one, all different, together every GPU of the host.
all_seen=()
for i in $(seq 0 $((N - 1))); do create "gpu-check-$i" 1 || fail "gpu-check-$i was refused ($STATUS): $(cat "$WORK/answer")"; done
for i in $(seq 0 $((N - 1))); do
  mapfile -t got < <(seen "gpu-check-$i")
  if [[ ${#got[@]} -eq 1 ]]; then pass "gpu-check-$i sees one GPU: ${got[0]}"; else fail "gpu-check-$i sees ${#got[@]} GPUs: ${got[*]:-none}"; fi
  all_seen+=("${got[@]}")
done
distinct=$(printf '%s\n' "${all_seen[@]}" | sort -u | wc -l)
if [[ $distinct -eq $N && ${#all_seen[@]} -eq $N ]]; then pass "the $N pods see $N different GPUs"; else fail "the $N pods saw ${all_seen[*]}"; fi
if [[ $(printf '%s\n' "${all_seen[@]}" | sort) == "$(printf '%s\n' "${HOST_UUIDS[@]}" | sort)" ]]; then
  pass "together they see every GPU of the host"
else
  fail "together they see ${all_seen[*]}, the host has ${HOST_UUIDS[*]}"
fi

# A pod without GPUs sees none.
if create gpu-check-none 0; then
  mapfile -t got < <(seen gpu-check-none)
  if [[ ${#got[@]} -eq 0 ]]; then pass "a pod without GPUs sees none"; else fail "a pod without GPUs sees ${got[*]}"; fi
else
  fail "gpu-check-none was refused ($STATUS): $(cat "$WORK/answer")"
fi

# Every GPU is held: one more GPU pod is refused, and nothing of it is made.
if create gpu-check-extra 1; then
  fail "a GPU pod beyond the $N GPUs was created"
elif [[ $STATUS == 409 ]] && grep -q UnexpectedAdmissionError "$WORK/answer"; then
  pass "a GPU pod beyond the $N GPUs is refused: $(cat "$WORK/answer")"
else
  fail "a GPU pod beyond the $N GPUs got $STATUS: $(cat "$WORK/answer")"
fi

# The others gone, a pod asking for every GPU sees them all.
for i in $(seq 0 $((N - 1))); do delete "gpu-check-$i"; done
if create gpu-check-all "$N"; then
  mapfile -t got < <(seen gpu-check-all)
  if [[ $(printf '%s\n' "${got[@]}") == "$(printf '%s\n' "${HOST_UUIDS[@]}" | sort)" ]]; then
    pass "a pod asking for $N GPUs sees all $N once the others are deleted"
  else
    fail "a pod asking for $N GPUs sees ${got[*]:-none}"
  fi
else
  fail "a pod asking for all $N GPUs was refused after the others were deleted ($STATUS): $(cat "$WORK/answer")"
fi

log "$PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
