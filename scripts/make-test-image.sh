#!/usr/bin/env bash
# Builds the local test image busybox:1.36 (also tagged busybox:latest) without a registry:
# `docker import` of a root filesystem made from Debian's static /bin/busybox. The tag names the image
# the tests and examples use; the binary inside is whatever busybox-static Debian ships (1.35 today).
# Idempotent: an existing busybox:1.36 is kept (pass --force to rebuild) and only checked.
set -euo pipefail

IMAGE=busybox:1.36
ALIAS=busybox:latest
BUSYBOX=/bin/busybox

# shellcheck source=lib/image-script.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/image-script.sh"

build_image() {
  if [[ ! -x ${BUSYBOX} ]]; then
    log "ERROR: ${BUSYBOX} is missing; run scripts/ensure-docker.sh (installs busybox-static)"
    exit 1
  fi
  # A dynamically linked busybox would not start in an image without libc.
  if ldd "${BUSYBOX}" >/dev/null 2>&1; then
    log "ERROR: ${BUSYBOX} is dynamically linked; install busybox-static"
    exit 1
  fi

  local rootfs
  rootfs=$(mktemp -d /tmp/busybox-rootfs.XXXXXX)
  # shellcheck disable=SC2064 # expand now: rootfs is local
  trap "rm -rf '${rootfs}'" EXIT

  mkdir -p "${rootfs}"/{bin,dev,etc,home,proc,root,sys,tmp,usr/bin,usr/sbin,var/tmp}
  cp "${BUSYBOX}" "${rootfs}/bin/busybox"
  chmod 0755 "${rootfs}/bin/busybox"
  local applet count=0
  for applet in $("${BUSYBOX}" --list); do
    # The list names busybox itself: a busybox -> busybox link would replace the binary with a loop.
    [[ ${applet} == busybox ]] && continue
    [[ -e ${rootfs}/bin/${applet} ]] && continue
    ln -s busybox "${rootfs}/bin/${applet}"
    count=$((count + 1))
  done
  chmod 1777 "${rootfs}/tmp" "${rootfs}/var/tmp"
  chmod 0700 "${rootfs}/root"

  cat >"${rootfs}/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/home:/bin/false
EOF
  cat >"${rootfs}/etc/group" <<'EOF'
root:x:0:
nobody:x:65534:
EOF

  log "importing ${IMAGE} from ${BUSYBOX} (BusyBox $("${BUSYBOX}" 2>&1 | head -n 1 | cut -d' ' -f2 || true)), ${count} applets"
  # Numeric root ownership: the files were made by whoever runs this script.
  tar --numeric-owner --owner=0 --group=0 -C "${rootfs}" -c . |
    docker import \
      -c 'CMD ["sh"]' \
      -c 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' \
      -m "busybox-static from the build host, for tests" \
      - "${IMAGE}" >/dev/null
  rm -rf "${rootfs}"
  trap - EXIT
}

ensure_image "${IMAGE}" build_image
docker tag "${IMAGE}" "${ALIAS}"

# Check the image really runs a shell; the named container is removed even when the check fails.
verify_name="make-test-image-verify-$$"
cleanup_verify() { docker rm -f "${verify_name}" >/dev/null 2>&1 || true; }
trap cleanup_verify EXIT
out=$(docker run --rm --name "${verify_name}" "${IMAGE}" sh -c 'echo ok' 2>&1) || true
if [[ ${out} != ok ]]; then
  log "ERROR: '${IMAGE}' does not run 'sh -c \"echo ok\"'; got: ${out}"
  log "remove it (docker rmi ${IMAGE} ${ALIAS}) and run this script again"
  exit 1
fi
log "${IMAGE} (and ${ALIAS}) ready: $(docker image inspect --format '{{.Id}}' "${IMAGE}" | cut -c1-19)"
