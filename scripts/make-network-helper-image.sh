#!/usr/bin/env bash
# Builds a network-helper image without a registry: busybox:1.36 (scripts/make-test-image.sh: Debian's
# busybox-static, `docker import`ed) plus the build host's bash, iproute2 `ip` and curl with the shared
# libraries they load, which is what interLink's mesh script and wstunnel command need (busybox's own
# ip has no tuntap). Idempotent: an existing image is kept (pass --force to rebuild).
#
# For the tests (the default): interlink-docker-plugin/network-helper-test:1, with the stand-ins below.
# For an operator's host without a registry (docs/operations.md, "Air-gapped set-up"):
#   apt-get install -y bash iproute2 curl busybox-static
#   bash scripts/make-test-image.sh
#   HELPER_IMAGE=interlink-docker-plugin/network-helper:1 HELPER_STAND_INS=0 bash scripts/make-network-helper-image.sh
# then PLUGIN_NETWORK_HELPER_IMAGE=interlink-docker-plugin/network-helper:1 for the plugin.
#
# With HELPER_STAND_INS=1 (the default), /opt/fake-mesh holds stand-ins for the tools interLink's
# scripts download (wstunnel, wireguard-go, wg, slirp4netns): the tests' Virtual Kubelet config points the download URLs at file:///opt/fake-mesh/…,
# so the scripts run unchanged without the internet. wireguard-go makes a real tun interface; wstunnel
# forwards each `-R tcp://0.0.0.0:P:localhost:P` locally from port P+1000 to P (busybox nc).
set -euo pipefail

IMAGE=${HELPER_IMAGE:-interlink-docker-plugin/network-helper-test:1}
STAND_INS=${HELPER_STAND_INS:-1}
BASE=busybox:1.36
TOOLS=(bash ip curl)

# shellcheck source=lib/image-script.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/image-script.sh"

make_fakes() {
  local dir=$1
  mkdir -p "${dir}"
  cat >"${dir}/wireguard-go" <<'FAKE'
#!/bin/bash
# Stand-in for wireguard-go: a tun interface named $1 that lives while this process does.
ip tuntap add dev "$1" mode tun || exit 1
trap 'ip link delete "$1"; exit 0' TERM INT
while sleep 3600 & wait $!; do :; done
FAKE
  cat >"${dir}/wg" <<'FAKE'
#!/bin/bash
echo "fake wg: $*"
FAKE
  cat >"${dir}/slirp4netns" <<'FAKE'
#!/bin/bash
echo "fake slirp4netns must not run in a pod's own network namespace" >&2
exit 1
FAKE
  cat >"${dir}/wstunnel" <<'FAKE'
#!/bin/bash
# Stand-in for wstunnel: -R tcp://0.0.0.0:P:localhost:P is served locally on port P+1000.
echo "fake wstunnel: $*"
while [ $# -gt 0 ]; do
  if [ "$1" = -R ]; then
    port=${2##*:}
    nc -ll -p $((port + 1000)) -e nc 127.0.0.1 "${port}" &
    shift
  fi
  shift
done
wait
FAKE
  chmod 0755 "${dir}"/*
  tar -C "${dir}" -czf "${dir}/wstunnel.tar.gz" wstunnel
}

build_image() {
  local extra tool path lib
  for tool in "${TOOLS[@]}"; do
    if ! command -v "${tool}" >/dev/null; then
      log "ERROR: ${tool} is missing on this host (apt-get install -y bash iproute2 curl)"
      exit 1
    fi
  done
  if ! image_exists "${BASE}"; then
    log "ERROR: ${BASE} is missing; run scripts/make-test-image.sh first"
    exit 1
  fi
  extra=$(mktemp -d /tmp/network-helper-files.XXXXXX)
  container=""
  # shellcheck disable=SC2064 # expand extra now: it is local
  trap "rm -rf '${extra}'; [[ -z \${container} ]] || docker rm -f \${container} >/dev/null 2>&1 || true" EXIT
  mkdir -p "${extra}/usr/local/bin"
  for tool in "${TOOLS[@]}"; do
    path=$(command -v "${tool}")
    # In /usr/local/bin, ahead of busybox's applets of the same name on PATH.
    cp -L "${path}" "${extra}/usr/local/bin/${tool}"
    for lib in $(ldd "${path}" | awk '/=>/ {print $3} $1 ~ /^\// {print $1}'); do
      cp -L --parents "${lib}" "${extra}"
    done
  done
  # Scripts say #!/bin/bash.
  mkdir -p "${extra}/bin"
  ln -s /usr/local/bin/bash "${extra}/bin/bash"
  [[ ${STAND_INS} == 0 ]] || make_fakes "${extra}/opt/fake-mesh"
  log "making ${IMAGE} from ${BASE} + the host's ${TOOLS[*]}"
  container=$(docker create "${BASE}" true)
  tar --numeric-owner --owner=0 --group=0 -C "${extra}" -c . | docker cp - "${container}:/"
  docker commit \
    -c 'CMD ["bash"]' \
    -c 'ENV PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -m "network helper: busybox, bash, iproute2, curl from the build host" \
    "${container}" "${IMAGE}" >/dev/null
  docker rm -f "${container}" >/dev/null
  rm -rf "${extra}"
  trap - EXIT
}

ensure_image "${IMAGE}" build_image

out=$(docker run --rm "${IMAGE}" bash -c '[ -x /bin/bash ] && ip -V >/dev/null && curl --version >/dev/null && echo ok' 2>&1) || true
if [[ ${out} != ok ]]; then
  log "ERROR: '${IMAGE}' cannot run bash, ip and curl; got: ${out}"
  exit 1
fi
log "${IMAGE} ready"
