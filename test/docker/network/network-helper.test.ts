import { describe, expect, it } from 'vitest';
import {
  helperRunArgs,
  networkDir,
  resolvConfMountArgs,
} from '../../../src/docker/network/network-helper.ts';
import { buildPod } from '../../fixtures/pod-builder.ts';

const pod = buildPod({ containers: [{ name: 'app', command: ['true'] }] });
const dir = networkDir('/state', pod.metadata.uid);
const argsOf = (kind: 'mesh' | 'wstunnel') =>
  helperRunArgs({ pod, instance: 'i', image: 'helper:1', sandbox: 'sb', kind, dir });
const mounts = (args: string[]) => args.filter((_a, i) => args[i - 1] === '--mount');

describe('what the network helper is given', () => {
  it.each([
    [
      'mesh',
      [
        `type=bind,src=${dir}/scripts,dst=/interlink-network,readonly`,
        `type=bind,src=${dir}/helper,dst=/interlink-mesh`,
      ],
    ],
    ['wstunnel', [`type=bind,src=${dir}/scripts,dst=/interlink-network,readonly`]],
  ] as const)('a %s helper sees its scripts read-only and writes only its own directory', (kind, want) => {
    expect(mounts(argsOf(kind))).toEqual(want);
  });

  it('gives a mesh helper NET_ADMIN without MKNOD, and its resolver path in its own directory', () => {
    const args = argsOf('mesh');
    expect(args.join(' ')).toContain('--cap-add NET_ADMIN --cap-drop MKNOD');
    expect(args).toContain('INTERLINK_RESOLV_CONF=/interlink-mesh/resolv.conf');
    expect(args).not.toContain('--privileged');
  });

  it.each([
    ['Docker', true, ['--device /dev/net/tun']],
    [
      'Podman, whose socket the docker CLI refuses --device against',
      false,
      ['--mount type=bind,src=/dev/net/tun,dst=/dev/net/tun', '--device-cgroup-rule c 10:200 rwm'],
    ],
  ] as const)('gives the helper /dev/net/tun on %s', (_engine, cliTakesDevices, want) => {
    const args = helperRunArgs({
      pod,
      instance: 'i',
      image: 'helper:1',
      sandbox: 'sb',
      kind: 'wstunnel',
      dir,
      cliTakesDevices,
    });
    const line = args.join(' ');
    for (const w of want) expect(line).toContain(w);
    expect(args.includes('--device')).toBe(cliTakesDevices);
  });

  it("mounts the plugin's copy of the resolver into the pod's containers, read-only, never the helper's", () => {
    expect(resolvConfMountArgs(dir)).toEqual([
      '--mount',
      `type=bind,src=${dir}/resolv.conf,dst=/etc/resolv.conf,readonly`,
    ]);
  });
});
