# Rootless Podman for the tests, as an operator of a shared host would set it up (sourced by
# scripts/ensure-podman.sh, which runs it as `ensure-podman.sh rootless` after the rlimit caps): a test user with
# subordinate ids, its runtime dir, /dev/net/tun usable, the Docker-compatible API served on the
# user's socket, and the test images in the user's store. Idempotent; runs as root.
#
# Env: PODMAN_USER (default podplug), PODMAN_ROOTLESS_LOG (default /tmp/podman-rootless.log),
#      PODMAN_WAIT_SECONDS (default 60).
# Prints nothing on stdout but, at the end, the DOCKER_HOST of the rootless socket.
# shellcheck shell=bash

PODMAN_USER=${PODMAN_USER:-podplug}
PODMAN_ROOTLESS_LOG=${PODMAN_ROOTLESS_LOG:-/tmp/podman-rootless.log}
PODMAN_WAIT_SECONDS=${PODMAN_WAIT_SECONDS:-60}
# The images the e2e tests and the conformance kit run (made in Docker's store by make-*-image.sh).
ROOTLESS_IMAGES=(busybox:1.36 interlink-docker-plugin/network-helper-test:1)

rootless_log() { printf 'ensure-podman rootless: %s\n' "$*" >&2; }

# as_user CMD...: runs CMD as the test user with its own environment (no login session here).
as_user() {
  local uid home
  uid=$(id -u "${PODMAN_USER}")
  home=$(getent passwd "${PODMAN_USER}" | cut -d: -f6)
  setpriv --reuid="${uid}" --regid="$(id -g "${PODMAN_USER}")" --init-groups -- \
    env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME="${home}" USER="${PODMAN_USER}" \
    LOGNAME="${PODMAN_USER}" XDG_RUNTIME_DIR="/run/user/${uid}" "$@"
}

ensure_test_user() {
  if ! id -u "${PODMAN_USER}" >/dev/null 2>&1; then
    rootless_log "creating user ${PODMAN_USER}"
    useradd --create-home --shell /bin/bash "${PODMAN_USER}"
  fi
  # 65536 ids each, above any range another user has: a container's root and its users map there.
  local file start
  for file in /etc/subuid /etc/subgid; do
    touch "${file}"
    if ! grep -q "^${PODMAN_USER}:" "${file}"; then
      start=$(awk -F: 'BEGIN { m = 100000 } { if ($2 + $3 > m) m = $2 + $3 } END { print m }' "${file}")
      printf '%s:%s:65536\n' "${PODMAN_USER}" "${start}" >>"${file}"
      rootless_log "${file}: ${PODMAN_USER} gets ids ${start}-$((start + 65535))"
    fi
  done
}

# No systemd login session here, so nothing makes /run/user/UID: made as pam_systemd would.
ensure_runtime_dir() {
  local uid dir
  uid=$(id -u "${PODMAN_USER}")
  dir=/run/user/${uid}
  mkdir -p /run/user
  install -d -m 0700 -o "${PODMAN_USER}" -g "$(id -g "${PODMAN_USER}")" "${dir}"
}

# slirp4netns opens /dev/net/tun in the user's namespace: 0666 as on ordinary distributions.
ensure_tun() {
  if [[ ! -c /dev/net/tun ]]; then
    mkdir -p /dev/net
    mknod -m 0666 /dev/net/tun c 10 200
  fi
  chmod 0666 /dev/net/tun
}

# The user's containers.conf: no systemd session here (cgroupfs, events to a file). The rlimits
# capped for every user are in /etc/containers/containers.conf.d (write_ulimits of ensure-podman.sh).
write_user_config() {
  local home dir
  home=$(getent passwd "${PODMAN_USER}" | cut -d: -f6)
  dir=${home}/.config/containers
  as_user mkdir -p "${dir}"
  printf '# Written by scripts/ensure-podman.sh rootless.\n[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n' |
    as_user tee "${dir}/containers.conf" >/dev/null
}

rootless_socket() { printf '/run/user/%s/podman/podman.sock' "$(id -u "${PODMAN_USER}")"; }

rootless_answers() {
  DOCKER_HOST="unix://$(rootless_socket)" timeout 20 docker version --format '{{.Server.Version}}' \
    >/dev/null 2>&1
}

start_rootless_service() {
  if rootless_answers; then
    rootless_log "the rootless service answers already"
    return 0
  fi
  rootless_log "starting podman system service as ${PODMAN_USER} (log ${PODMAN_ROOTLESS_LOG})"
  # Picks up a new subuid range (it would stop running containers: only before the service runs).
  as_user podman system migrate >/dev/null 2>&1 || true
  : >"${PODMAN_ROOTLESS_LOG}"
  chown "${PODMAN_USER}" "${PODMAN_ROOTLESS_LOG}"
  # setsid: its own session, so it outlives this script and the CI step that ran it.
  as_user mkdir -p "$(dirname "$(rootless_socket)")"
  # In the user's home: conmon leaves an empty `oom` in the service's working directory at each
  # OOM kill, which must not be the caller's (a checkout).
  (cd "$(getent passwd "${PODMAN_USER}" | cut -d: -f6)" && as_user setsid podman system service \
    --time=0 "unix://$(rootless_socket)" >>"${PODMAN_ROOTLESS_LOG}" 2>&1 </dev/null) &
  local pid=$! waited=0
  until rootless_answers; do
    if ! kill -0 "${pid}" 2>/dev/null || ((waited >= PODMAN_WAIT_SECONDS)); then
      rootless_log "the rootless service did not answer (waited ${waited}s); its log:"
      tail -n 30 "${PODMAN_ROOTLESS_LOG}" >&2
      return 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
}

# No registry here: the images come from Docker's store, when the user's store lacks them.
load_rootless_images() {
  local image docker_id podman_id
  for image in "${ROOTLESS_IMAGES[@]}"; do
    docker_id=$(docker image inspect --format '{{.Id}}' "${image}")
    podman_id=$(as_user podman image inspect --format '{{.Id}}' "${image}" 2>/dev/null || true)
    # Docker's id is "sha256:<hex>", Podman's the hex alone.
    if [[ -n ${podman_id} && ${docker_id} == *"${podman_id}" ]]; then
      continue
    fi
    rootless_log "loading ${image} into ${PODMAN_USER}'s store"
    docker save "${image}" | as_user podman load -q >/dev/null
  done
}

# The rootless suites run the plugin from this checkout as the test user. A clone under a closed
# directory (/root is 0700) is opened to that user for traversal only: an ACL where setfacl exists,
# else o+x (no listing). Said in the log; nothing else about the directory changes.
ensure_checkout_reachable() {
  local repo dir
  repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  as_user test -r "${repo}/package.json" && return 0
  dir=${repo}
  while [[ ${dir} != / ]]; do
    if ! as_user test -x "${dir}"; then
      if command -v setfacl >/dev/null 2>&1; then
        setfacl -m "u:${PODMAN_USER}:x" "${dir}"
      else
        chmod o+x "${dir}"
      fi
      rootless_log "${dir} opened to ${PODMAN_USER} for traversal: the rootless suites run the plugin from ${repo}"
    fi
    dir=$(dirname "${dir}")
  done
  as_user test -r "${repo}/package.json" ||
    rootless_log "${PODMAN_USER} still cannot read ${repo} (its files are not world-readable): the rootless suites will say so"
}

ensure_podman_rootless() {
  ensure_test_user
  ensure_checkout_reachable
  ensure_runtime_dir
  ensure_tun
  write_user_config
  start_rootless_service
  load_rootless_images
  rootless_log "rootless Podman $(as_user podman version --format '{{.Server.Version}}' 2>/dev/null || echo '?') answers at unix://$(rootless_socket)"
  printf 'unix://%s\n' "$(rootless_socket)"
}
