/**
 * Stand-ins for the four tools interLink's mesh script downloads (wstunnel, wireguard-go, wg,
 * slirp4netns), written into a directory as an operator fills PLUGIN_MESH_BINARIES_DIR. No GitHub
 * here, so they behave as the scripts need, in the network-helper test image (bash, ip, busybox):
 * - wireguard-go makes a real tun interface, named $1, that lives while it does;
 * - wg setconf plays the WireGuard server answering: 10.7.0.1 (the server's address in mesh.go)
 *   becomes local, so the scripts' ping gets its reply, unless the config's Endpoint is not the
 *   wstunnel port (the server is then unreachable, as when the tunnel is broken). It prints the
 *   config it was given, as a verbose tool might: the key in it must never reach a status;
 * - wstunnel answers --version, and otherwise stays up as the real client does (PR #538's script
 *   restarts a client that exits); -R tcp://0.0.0.0:P:localhost:P is served locally on port P+1000;
 * - slirp4netns must not run: the plugin leaves out the namespace wrapping.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';

export const STAND_INS: Record<string, string> = {
  'wireguard-go': `#!/bin/bash
ip tuntap add dev "$1" mode tun || exit 1
trap 'ip link delete "$1"; exit 0' TERM INT
while sleep 3600 & wait $!; do :; done
`,
  wg: `#!/bin/bash
echo "stand-in wg: $*"
if [ "$1" = setconf ]; then
  cat "$3"
  grep -q '^Endpoint = 127.0.0.1:51821$' "$3" && { ip addr add 10.7.0.1/32 dev lo 2>/dev/null || true; }
fi
exit 0
`,
  wstunnel: `#!/bin/bash
[ "$1" = --version ] && { echo "wstunnel stand-in 0"; exit 0; }
echo "stand-in wstunnel: $*"
while [ $# -gt 0 ]; do
  if [ "$1" = -R ]; then
    port=\${2##*:}
    nc -ll -p $((port + 1000)) -e nc 127.0.0.1 "\${port}" &
    shift
  fi
  shift
done
while sleep 3600 & wait $!; do :; done
`,
  slirp4netns: `#!/bin/bash
echo "stand-in slirp4netns must not run in a pod's own network namespace" >&2
exit 1
`,
};

/** Writes the stand-ins into `dir` (made if missing), as root-owned files are: read-only to others. */
export async function writeStandIns(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: 0o755 });
  for (const [name, text] of Object.entries(STAND_INS))
    await fs.writeFile(join(dir, name), text, { mode: 0o755 });
}
