#!/usr/bin/env bash
# Installs what the packaging tests need and a fresh Debian machine may lack: systemd-analyze (to
# verify the unit file), openssl (certificates of the TLS trace tests) and ip (the bridge of the
# second dockerd in test/remote/).
# Idempotent and quick: installs nothing when both are there.
set -euo pipefail

missing=()
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "ensure-packaging-tools: systemd-analyze, openssl and ip are there"
  exit 0
fi
echo "ensure-packaging-tools: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
