/**
 * The network-helper test image (scripts/make-network-helper-image.sh) with stand-ins for the
 * rathole and ssh clients, made once from it without a registry (kept, like the test images):
 *
 * - `/opt/fake-mesh/rathole.zip` holds `rathole`: `rathole --client FILE` serves each
 *   `[client.services]` `local_addr = "127.0.0.1:P"` locally on port P+1000 (busybox nc), after
 *   checking that a TLS config's CA, certificate and key files were written.
 * - `/usr/local/bin/ssh`: each `-L 0.0.0.0:P:host:P` served locally on port P+1000; it prints its
 *   private key (base64), as a client logging too much would, so tests see the helper's log redact it.
 *
 * `withoutProgram` makes a copy lacking one program, for the refusal naming it (removed with removeImage).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { NETWORK_HELPER_TEST_IMAGE } from '../fixtures/interlink-mesh.ts';
import { runDocker } from './docker.ts';

export const TUNNEL_HELPER_TEST_IMAGE = 'interlink-docker-plugin/network-helper-tunnels-test:1';

const FAKE_RATHOLE = `#!/bin/bash
[ "$1" = --client ] && [ -f "$2" ] || { echo "fake rathole: usage: rathole --client FILE" >&2; exit 2; }
if grep -q '^type = "tls"' "$2"; then
  for f in /tmp/rathole-ca.crt /tmp/rathole-client.crt /tmp/rathole-client.key; do
    [ -s "$f" ] || { echo "fake rathole: $f is missing" >&2; exit 1; }
  done
fi
n=0
for port in $(sed -n 's/^local_addr = "127.0.0.1:\\([0-9]*\\)"$/\\1/p' "$2"); do
  nc -ll -p $((port + 1000)) -e nc 127.0.0.1 "$port" &
  n=$((n + 1))
done
echo "fake rathole: client up with $n services"
wait
`;

const FAKE_SSH = `#!/bin/bash
key=
while [ $# -gt 0 ]; do
  case "$1" in
    -i) key=$2; shift ;;
    -o|-J) shift ;;
    -L) port=\${2##*:}; nc -ll -p $((port + 1000)) -e nc 127.0.0.1 "$port" & shift ;;
  esac
  shift
done
[ -s "$key" ] || { echo "fake ssh: no private key" >&2; exit 255; }
echo "fake ssh: key $(base64 < "$key" | tr -d '\\n')"
echo "fake ssh: forwarding"
wait
`;

/** A zip of one stored (uncompressed) file, as `unzip` reads it. */
function storedZip(name: string, data: Buffer, mode: number): Buffer {
  const fileName = Buffer.from(name);
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(fileName.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(0x031e, 4); // made by Unix, so the mode below counts
  central.writeUInt16LE(20, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(fileName.length, 28);
  central.writeUInt32LE(((0o100000 | mode) << 16) >>> 0, 38);
  const centralAt = local.length + fileName.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + fileName.length, 12);
  end.writeUInt32LE(centralAt, 16);
  return Buffer.concat([local, fileName, data, central, fileName, end]);
}

async function imageExists(image: string): Promise<boolean> {
  return runDocker(['image', 'inspect', image]).then(
    () => true,
    () => false,
  );
}

/** Makes TUNNEL_HELPER_TEST_IMAGE unless it exists. */
export async function ensureTunnelHelperImage(): Promise<string> {
  if (await imageExists(TUNNEL_HELPER_TEST_IMAGE)) return TUNNEL_HELPER_TEST_IMAGE;
  const dir = mkdtempSync(join(tmpdir(), 'tunnel-helper-'));
  try {
    mkdirSync(join(dir, 'opt/fake-mesh'), { recursive: true });
    mkdirSync(join(dir, 'usr/local/bin'), { recursive: true });
    writeFileSync(
      join(dir, 'opt/fake-mesh/rathole.zip'),
      storedZip('rathole', Buffer.from(FAKE_RATHOLE), 0o755),
    );
    writeFileSync(join(dir, 'usr/local/bin/ssh'), FAKE_SSH);
    chmodSync(join(dir, 'usr/local/bin/ssh'), 0o755);
    const tar = execFileSync('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', dir, '-c', '.']);
    const container = (await runDocker(['create', NETWORK_HELPER_TEST_IMAGE, 'true'])).stdout.trim();
    try {
      execFileSync('docker', ['cp', '-', `${container}:/`], { input: tar });
      await runDocker(['commit', container, TUNNEL_HELPER_TEST_IMAGE]);
    } finally {
      await runDocker(['rm', '-f', container]).catch(() => {});
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return TUNNEL_HELPER_TEST_IMAGE;
}

/** A copy of the tunnel test image without `program` on its PATH, tagged `tag`. */
export async function withoutProgram(program: string, tag: string): Promise<string> {
  await ensureTunnelHelperImage();
  const name = `tunnel-image-${Date.now()}`;
  await runDocker([
    'run',
    '--name',
    name,
    '--entrypoint',
    'sh',
    TUNNEL_HELPER_TEST_IMAGE,
    '-c',
    `rm -f $(command -v ${program})`,
  ]);
  try {
    await runDocker(['commit', name, tag]);
  } finally {
    await runDocker(['rm', '-f', name]).catch(() => {});
  }
  return tag;
}

export async function removeImage(tag: string): Promise<void> {
  await runDocker(['rmi', tag]).catch(() => {});
}
