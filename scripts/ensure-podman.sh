#!/usr/bin/env bash
# Makes sure a Podman service answers the Docker-compatible API, so the tests (and the plugin) can run
# pods on Podman: `scripts/ensure-podman.sh rootful` (the default) installs Debian's podman when it is
# missing, caps Podman's default rlimits at what this host allows, starts the rootful service on
# /run/podman/podman.sock when nothing answers there, and loads the test images from Docker's store
# into Podman's (no registry is assumed). Idempotent: on a machine already set up it only checks.
# Runs as root (CI); uses sudo otherwise. Needs Docker's test images (scripts/make-test-image.sh,
# scripts/make-network-helper-image.sh) and the docker CLI (it talks to the socket as the plugin does).
#
# `scripts/ensure-podman.sh rootless` sets up rootless Podman as a test user instead (as root; see
# scripts/lib/podman-rootless.sh): the user, its subordinate ids and runtime dir, /dev/net/tun, the
# service on /run/user/UID/podman/podman.sock, and the test images in the user's store.
#
# Env: PODMAN_SERVICE_LOG (default /tmp/podman-service.log), PODMAN_WAIT_SECONDS (default 60);
#      rootless: PODMAN_USER (default podplug), PODMAN_ROOTLESS_LOG (default /tmp/podman-rootless.log).
set -euo pipefail

log() { printf 'ensure-podman: %s\n' "$*" >&2; }

usage() { log "usage: $0 [rootful|rootless]"; }

mode=${1:-rootful}
case "${mode}" in
  rootful | rootless) ;;
  -h | --help)
    usage
    exit 0
    ;;
  *)
    log "unknown mode: ${mode}"
    usage
    exit 2
    ;;
esac

SUDO=()
if [[ ${EUID} -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo -n)
  else
    log "not root and no sudo: cannot install or start podman"
    exit 1
  fi
fi

ROOTFUL_SOCKET=/run/podman/podman.sock
PODMAN_SERVICE_LOG=${PODMAN_SERVICE_LOG:-/tmp/podman-service.log}
PODMAN_SERVICE_DIR=${PODMAN_SERVICE_DIR:-/var/lib/podman-service}
PODMAN_WAIT_SECONDS=${PODMAN_WAIT_SECONDS:-60}
# Read by Podman after /etc/containers/containers.conf, for root and for rootless users alike.
ULIMITS_CONF=/etc/containers/containers.conf.d/50-interlink-ulimits.conf
# What the tests and the examples run; the plugin makes its own pause image through the API.
TEST_IMAGES=(busybox:1.36 busybox:latest interlink-docker-plugin/network-helper-test:1)

install_podman() {
  command -v podman >/dev/null 2>&1 && return 0
  log "apt-get update"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  log "apt-get install -y podman"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q podman
}

# Podman gives every container nofile 1048576 and a large nproc; where the host's hard limits are
# lower (containers, CI machines) runc then fails with "error setting rlimit type 7: operation not
# permitted". The caps: nofile at our hard limit; nproc also at the kernel's pid_max, which Podman
# lowers its own limit to (and runc inherits it from there).
write_ulimits() {
  local nofile nproc pid_max wanted
  nofile=$(ulimit -Hn)
  nproc=$(ulimit -Hu)
  pid_max=$(cat /proc/sys/kernel/pid_max)
  [[ ${nofile} == unlimited || ${nofile} -gt 1048576 ]] && nofile=1048576
  [[ ${nproc} == unlimited || ${nproc} -gt ${pid_max} ]] && nproc=${pid_max}
  wanted=$(printf '# Written by scripts/ensure-podman.sh: capped at the hard limits of this host.\n[containers]\ndefault_ulimits = ["nofile=%s:%s", "nproc=%s:%s"]\n' \
    "${nofile}" "${nofile}" "${nproc}" "${nproc}")
  if [[ -f ${ULIMITS_CONF} && "$(cat "${ULIMITS_CONF}")" == "${wanted}" ]]; then
    return 0
  fi
  log "writing ${ULIMITS_CONF} (nofile ${nofile}, nproc ${nproc})"
  "${SUDO[@]}" mkdir -p "$(dirname "${ULIMITS_CONF}")"
  printf '%s\n' "${wanted}" | "${SUDO[@]}" tee "${ULIMITS_CONF}" >/dev/null
}

socket_answers() { DOCKER_HOST="unix://$1" docker version >/dev/null 2>&1; }

start_rootful_service() {
  socket_answers "${ROOTFUL_SOCKET}" && return 0
  log "starting podman system service on ${ROOTFUL_SOCKET} (log: ${PODMAN_SERVICE_LOG})"
  "${SUDO[@]}" mkdir -p "$(dirname "${ROOTFUL_SOCKET}")"
  # A socket file left by a service that died is in the way of a new one.
  "${SUDO[@]}" rm -f "${ROOTFUL_SOCKET}"
  # conmon writes an empty file `oom` into the working directory of the podman that started a
  # container the kernel OOM-killed: the service runs in a directory of its own, not the caller's.
  "${SUDO[@]}" mkdir -p "${PODMAN_SERVICE_DIR}"
  # setsid + nohup: the service must outlive this script and the CI step that ran it.
  (cd "${PODMAN_SERVICE_DIR}" && exec "${SUDO[@]}" setsid nohup podman system service --time=0 \
    "unix://${ROOTFUL_SOCKET}" >>"${PODMAN_SERVICE_LOG}" 2>&1 </dev/null) &
  local pid=$! deadline=$((SECONDS + PODMAN_WAIT_SECONDS))
  while ((SECONDS < deadline)); do
    socket_answers "${ROOTFUL_SOCKET}" && return 0
    kill -0 "${pid}" 2>/dev/null || break
    sleep 1
  done
  log "ERROR: podman's service did not answer on ${ROOTFUL_SOCKET} within ${PODMAN_WAIT_SECONDS}s."
  log "last lines of ${PODMAN_SERVICE_LOG}:"
  tail -n 30 "${PODMAN_SERVICE_LOG}" >&2 || true
  return 1
}

# Copies an image from Docker's store into Podman's when Podman has none of that name or an older one.
load_image() {
  local image=$1 docker_id podman_id
  if ! docker_id=$(docker image inspect --format '{{.Id}}' "${image}" 2>/dev/null); then
    log "ERROR: ${image} is not in Docker's store (run scripts/make-test-image.sh and scripts/make-network-helper-image.sh)"
    return 1
  fi
  podman_id=$("${SUDO[@]}" podman image inspect --format '{{.Id}}' "${image}" 2>/dev/null || true)
  if [[ -n ${podman_id} && ${docker_id} == *"${podman_id}" ]]; then
    return 0
  fi
  log "loading ${image} into Podman's store"
  docker save "${image}" | "${SUDO[@]}" podman load -q >/dev/null
}

install_podman
write_ulimits
if [[ ${mode} == rootless ]]; then
  if [[ ${EUID} -ne 0 ]]; then
    log "rootless mode makes a test user and its runtime dir: run it as root"
    exit 1
  fi
  # What a user's Podman needs beside podman itself: newuidmap/newgidmap and user-mode networking.
  if ! command -v newuidmap >/dev/null 2>&1 || ! command -v slirp4netns >/dev/null 2>&1; then
    log "apt-get install -y uidmap slirp4netns"
    env DEBIAN_FRONTEND=noninteractive apt-get install -y -q uidmap slirp4netns
  fi
  # shellcheck source=lib/podman-rootless.sh
  source "$(dirname "${BASH_SOURCE[0]}")/lib/podman-rootless.sh"
  ensure_podman_rootless
  exit 0
fi
start_rootful_service
for image in "${TEST_IMAGES[@]}"; do
  load_image "${image}"
done
log "rootful podman answers on ${ROOTFUL_SOCKET} ($(DOCKER_HOST="unix://${ROOTFUL_SOCKET}" docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'))"
