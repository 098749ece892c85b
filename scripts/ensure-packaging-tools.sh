#!/usr/bin/env bash
# Installs what the packaging tests need and a fresh Debian machine may lack: systemd-analyze (to
# verify the unit file) and openssl (to make the certificates of the mutual-TLS trace test).
# Idempotent and quick: installs nothing when both are there.
set -euo pipefail

missing=()
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "ensure-packaging-tools: systemd-analyze and openssl are there"
  exit 0
fi
echo "ensure-packaging-tools: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
