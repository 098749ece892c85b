#!/usr/bin/env bash
# Makes sure a Docker engine answers and /bin/busybox (static) exists, so the end-to-end tests can run.
# Idempotent: on a machine that is already set up it only checks. Runs as root (CI); uses sudo otherwise.
#
# Env: DOCKERD_LOG (default /tmp/dockerd.log), DOCKERD_WAIT_SECONDS (default 60),
#      DOCKERD_FLAGS (extra dockerd flags, split on spaces).
set -euo pipefail

log() { printf 'ensure-docker: %s\n' "$*" >&2; }

SUDO=()
if [[ ${EUID} -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo -n)
  else
    log "not root and no sudo: cannot install or start docker"
    exit 1
  fi
fi

DOCKERD_LOG=${DOCKERD_LOG:-/tmp/dockerd.log}
DOCKERD_WAIT_SECONDS=${DOCKERD_WAIT_SECONDS:-60}
APT_UPDATED=0

apt_install() {
  if [[ ${APT_UPDATED} -eq 0 ]]; then
    log "apt-get update"
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
    APT_UPDATED=1
  fi
  log "apt-get install -y $*"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}

docker_answers() { docker info >/dev/null 2>&1; }

# A newer docker CLI already on PATH (e.g. /usr/local/bin/docker) talks to Debian's older engine by
# negotiating the API version, so it is kept: apt puts its own CLI in /usr/bin, later on PATH.
if ! command -v docker >/dev/null 2>&1 || ! command -v dockerd >/dev/null 2>&1; then
  if command -v docker >/dev/null 2>&1 && docker_answers; then
    log "no dockerd here, but the docker CLI reaches an engine: not installing one"
  else
    apt_install docker.io
  fi
fi

# The test image is imported from this binary, so it must be the static one: Debian's dynamic
# 'busybox' package installs the same path but cannot run in an image without libc.
if [[ ! -x /bin/busybox ]] || ldd /bin/busybox >/dev/null 2>&1; then
  apt_install busybox-static
fi

# The network-helper test image (scripts/make-network-helper-image.sh) is made from the host's ip and curl.
command -v ip >/dev/null 2>&1 || apt_install iproute2
command -v curl >/dev/null 2>&1 || apt_install curl

if docker_answers; then
  log "docker engine answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'))"
  exit 0
fi

# A pid file left by a dockerd that died makes a new dockerd refuse to start.
pidfile=/var/run/docker.pid
if [[ -f ${pidfile} ]]; then
  oldpid=$(cat "${pidfile}" 2>/dev/null || true)
  if [[ -z ${oldpid} ]] || ! kill -0 "${oldpid}" 2>/dev/null; then
    log "removing stale ${pidfile}"
    "${SUDO[@]}" rm -f "${pidfile}"
  fi
fi

start_dockerd() {
  log "starting dockerd $* (log: ${DOCKERD_LOG})"
  # setsid + nohup: the daemon must outlive this script and the CI step that ran it.
  "${SUDO[@]}" setsid nohup dockerd "$@" >>"${DOCKERD_LOG}" 2>&1 </dev/null &
  DOCKERD_PID=$!
}

wait_for_docker() {
  local deadline=$((SECONDS + DOCKERD_WAIT_SECONDS))
  while ((SECONDS < deadline)); do
    if docker_answers; then
      return 0
    fi
    # Stop waiting early when the daemon we started has already exited.
    if ! kill -0 "${DOCKERD_PID}" 2>/dev/null; then
      return 1
    fi
    sleep 1
  done
  return 1
}

read -r -a extra_flags <<<"${DOCKERD_FLAGS:-}"
start_dockerd "${extra_flags[@]}"
if ! wait_for_docker; then
  # In containers without NET_ADMIN dockerd dies setting up iptables; retry once without it.
  if ! kill -0 "${DOCKERD_PID}" 2>/dev/null && grep -qi 'iptables' "${DOCKERD_LOG}"; then
    log "dockerd failed on iptables; retrying with --iptables=false"
    start_dockerd "${extra_flags[@]}" --iptables=false
    wait_for_docker || true
  fi
fi

if ! docker_answers; then
  log "ERROR: the docker engine did not answer 'docker info' within ${DOCKERD_WAIT_SECONDS}s."
  log "last lines of ${DOCKERD_LOG}:"
  tail -n 30 "${DOCKERD_LOG}" >&2 || true
  exit 1
fi
log "docker engine answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'))"
