#!/usr/bin/env bash
# Makes the base image of the plugin's container image without a registry: `docker import` of a
# root filesystem holding this machine's node (with the shared libraries it links), npm, the
# docker CLI and, when present, Debian's static busybox as a shell. The Dockerfile builds FROM it.
# Tags: interlink-docker-plugin/base:node<V>-docker<V> and interlink-docker-plugin/base:local.
# Idempotent and quick: an existing image for the same node and docker versions is reused.
set -euo pipefail

REPO=interlink-docker-plugin/base
log() { printf 'make-base-image: %s\n' "$*" >&2; }

NODE=$(readlink -f "$(command -v node)")
DOCKER=$(readlink -f "$(command -v docker)")
NPM_DIR=$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)
node_version=$("${NODE}" --version)
docker_version=$("${DOCKER}" version --format '{{.Client.Version}}' 2>/dev/null || echo unknown)
TAG="${REPO}:node${node_version#v}-docker${docker_version}"

if docker image inspect "${TAG}" >/dev/null 2>&1; then
  docker tag "${TAG}" "${REPO}:local"
  log "${TAG} exists (tagged ${REPO}:local)"
  exit 0
fi

rootfs=$(mktemp -d /tmp/plugin-base-rootfs.XXXXXX)
trap 'rm -rf "${rootfs}"' EXIT

# A binary and every shared library it loads, at the same paths.
copy_with_libs() {
  local bin=$1 dest=$2
  install -D -m 0755 "${bin}" "${rootfs}${dest}"
  if ldd "${bin}" >/dev/null 2>&1; then
    ldd "${bin}" | grep -oE '/[^ ]+' | while read -r lib; do
      [[ -e ${rootfs}${lib} ]] || install -D -m 0755 "$(readlink -f "${lib}")" "${rootfs}${lib}"
    done
  fi
}

copy_with_libs "${NODE}" /usr/local/bin/node
copy_with_libs "${DOCKER}" /usr/local/bin/docker
mkdir -p "${rootfs}/usr/local/lib/node_modules"
cp -a "${NPM_DIR}" "${rootfs}/usr/local/lib/node_modules/npm"
if [[ -x /bin/busybox ]] && ! ldd /bin/busybox >/dev/null 2>&1; then
  install -D -m 0755 /bin/busybox "${rootfs}/bin/busybox"
  for tool in sh env ls cat id mkdir rm stat wget; do ln -s busybox "${rootfs}/bin/${tool}"; done
fi
mkdir -p "${rootfs}/usr/bin"
ln -s /usr/local/bin/node "${rootfs}/usr/bin/node"

mkdir -p "${rootfs}/etc" "${rootfs}/root" "${rootfs}/home/plugin" "${rootfs}/run/interlink"
install -d -m 1777 "${rootfs}/tmp"
printf 'root:x:0:0:root:/root:/bin/sh\nplugin:x:10001:10001:interlink-docker-plugin:/home/plugin:/bin/sh\n' >"${rootfs}/etc/passwd"
printf 'root:x:0:\nplugin:x:10001:\n' >"${rootfs}/etc/group"
printf 'hosts: files dns\n' >"${rootfs}/etc/nsswitch.conf"
chown 10001:10001 "${rootfs}/home/plugin" "${rootfs}/run/interlink"

tar -C "${rootfs}" -c . | docker import \
  --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
  --change 'ENV HOME=/root' \
  - "${TAG}" >/dev/null
docker tag "${TAG}" "${REPO}:local"
log "built ${TAG} ($(docker image inspect --format '{{.Size}}' "${TAG}") bytes), tagged ${REPO}:local"
