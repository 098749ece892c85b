# Shared by the scripts that make local test images (sourced, not run): a log line prefixed with the
# script's name, the --force flag, whether an image is here, and building it when missing.
# shellcheck shell=bash

SCRIPT_NAME=$(basename "${BASH_SOURCE[1]}" .sh)

log() { printf '%s: %s\n' "${SCRIPT_NAME}" "$*" >&2; }

force=0
for arg in "$@"; do
  case "${arg}" in
    --force) force=1 ;;
    *)
      log "unknown argument: ${arg} (usage: ${BASH_SOURCE[1]} [--force])"
      exit 2
      ;;
  esac
done

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

# ensure_image IMAGE BUILD_FUNCTION: builds the image when it is missing or with --force.
ensure_image() {
  local image=$1 build=$2 old_id
  if [[ ${force} -eq 1 ]] || ! image_exists "${image}"; then
    old_id=$(docker image inspect --format '{{.Id}}' "${image}" 2>/dev/null || true)
    "${build}"
    # A forced rebuild would otherwise leave the previous image behind, untagged.
    if [[ -n ${old_id} && ${old_id} != "$(docker image inspect --format '{{.Id}}' "${image}")" ]]; then
      docker rmi "${old_id}" >/dev/null 2>&1 || true
    fi
  else
    log "${image} exists already; not rebuilding (use --force to rebuild)"
  fi
}
