/**
 * The mesh gate reads the helper's writable directory, which the helper may have filled with
 * anything: only a plain `up` and a plain resolver count, and the pod's resolver is the plugin's copy.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DockerCli } from '../../../src/docker/engine/docker-cli.ts';
import { LABEL } from '../../../src/docker/labels.ts';
import { MeshGate } from '../../../src/docker/network/mesh-gate.ts';
import { HELPER_KIND_LABEL, HELPER_ROLE, networkDir } from '../../../src/docker/network/network-helper.ts';
import { createLogger } from '../../../src/log.ts';
import { containerInspect } from '../../fixtures/container-inspect.ts';

const root = mkdtempSync(join(tmpdir(), 'mesh-gate-'));
const gates: MeshGate[] = [];
afterAll(() => {
  for (const g of gates) g.close();
  rmSync(root, { recursive: true, force: true });
});

const docker = { run: async () => ({ stdout: '', stderr: '' }) } as unknown as DockerCli;
const containers = [
  containerInspect({
    id: 'sb',
    role: 'sandbox',
    name: 'sandbox',
    status: 'running',
    labels: { [HELPER_KIND_LABEL]: 'mesh' },
  }),
  containerInspect({
    id: 'helper',
    role: HELPER_ROLE,
    name: 'interlink-mesh',
    status: 'running',
    // Started now: the timeout is far.
    startedAt: new Date().toISOString(),
    labels: { [HELPER_KIND_LABEL]: 'mesh', [LABEL.podUid]: 'u' },
  }),
];

let uid = 0;
/** A fresh pod's network dir as the plugin lays it out at create, and a gate over it. */
function pod(): { uid: string; dir: string; out: string; gate: MeshGate } {
  const id = `pod-${++uid}`;
  const dir = networkDir(root, id);
  const out = join(dir, 'helper');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(dir, 'resolv.conf'), '');
  return { uid: id, dir, out, gate: newGate() };
}

/** A gate as a (re)started plugin makes it. */
function newGate(): MeshGate {
  const gate = new MeshGate({
    docker,
    stateDir: root,
    timeoutSeconds: 600,
    log: createLogger({}, () => {}),
    recheck: () => {},
  });
  gates.push(gate);
  return gate;
}

describe('the mesh gate', () => {
  let host: string;
  beforeEach(() => {
    host = join(root, `host-${uid}`);
    writeFileSync(host, 'nameserver 6.6.6.6 # a host file\n');
  });

  it("gives the pod a copy of the helper's resolver once the helper says it is up", async () => {
    const p = pod();
    expect(await p.gate.mayStart(p.uid, containers)).toBe(false);
    writeFileSync(join(p.out, 'resolv.conf'), 'nameserver 10.96.0.10\n');
    writeFileSync(join(p.out, 'up'), '');
    expect(await p.gate.mayStart(p.uid, containers)).toBe(true);
    expect(readFileSync(join(p.dir, 'resolv.conf'), 'utf8')).toBe('nameserver 10.96.0.10\n');
  });

  it.each([
    [
      'a symlink to a host file',
      (path: string) => symlinkSync(host, path),
      /not a regular file \(a symbolic link\)/,
    ],
    ['a FIFO', (path: string) => execFileSync('mkfifo', [path]), /not a regular file/],
    ['missing', () => {}, /is missing/],
    ['too large', (path: string) => writeFileSync(path, 'x'.repeat(65 * 1024)), /larger than 65536 bytes/],
  ])(
    'fails the mesh, copying nothing, when the resolver the helper wrote is %s',
    async (_name, make, why) => {
      const p = pod();
      make(join(p.out, 'resolv.conf'));
      writeFileSync(join(p.out, 'up'), '');
      expect(await p.gate.mayStart(p.uid, containers)).toBe(false);
      const status = {
        UID: p.uid,
        initContainers: [],
        containers: [{ name: 'app', state: { waiting: { reason: 'ContainerCreating' } } }],
      };
      p.gate.applyToStatus(status as never, containers);
      expect(JSON.stringify(status)).toMatch(why);
      expect(JSON.stringify(status)).not.toContain('6.6.6.6');
      expect(readFileSync(join(p.dir, 'resolv.conf'), 'utf8')).toBe('');
      expect(readFileSync(join(p.dir, 'failed'), 'utf8')).toMatch(why);
    },
  );

  it('takes no symlink for the helper saying the mesh is up', async () => {
    const p = pod();
    writeFileSync(join(p.out, 'resolv.conf'), 'nameserver 10.96.0.10\n');
    symlinkSync(host, join(p.out, 'up'));
    expect(await p.gate.mayStart(p.uid, containers)).toBe(false);
  });

  it('copies once: a restarted plugin keeps the copy whatever the helper did to its file since', async () => {
    const p = pod();
    writeFileSync(join(p.out, 'resolv.conf'), 'nameserver 10.96.0.10\n');
    writeFileSync(join(p.out, 'up'), '');
    expect(await p.gate.mayStart(p.uid, containers)).toBe(true);
    rmSync(join(p.out, 'resolv.conf'));
    symlinkSync(host, join(p.out, 'resolv.conf'));
    expect(await newGate().mayStart(p.uid, containers)).toBe(true);
    expect(readFileSync(join(p.dir, 'resolv.conf'), 'utf8')).toBe('nameserver 10.96.0.10\n');
  });

  it('keeps the mesh of a pod made before the helper had its own directory up', async () => {
    const p = pod();
    rmSync(p.out, { recursive: true });
    writeFileSync(join(p.dir, 'up'), '');
    expect(await p.gate.mayStart(p.uid, containers)).toBe(true);
  });
});

describe("the mesh helper's restarts once the mesh is up", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A pod whose mesh is up, a gate over it on an engine that can or cannot switch restart policies, and the docker calls it makes. */
  async function upMesh(updatesRestartPolicy: boolean) {
    const calls: string[][] = [];
    const recording = {
      run: async (args: string[]) => {
        calls.push(args);
        return { stdout: '', stderr: '' };
      },
    } as unknown as DockerCli;
    const id = `pod-${++uid}`;
    const dir = networkDir(root, id);
    mkdirSync(join(dir, 'helper'), { recursive: true });
    writeFileSync(join(dir, 'resolv.conf'), '');
    writeFileSync(join(dir, 'helper', 'resolv.conf'), 'nameserver 10.96.0.10\n');
    writeFileSync(join(dir, 'helper', 'up'), '');
    const gate = new MeshGate({
      docker: recording,
      stateDir: root,
      timeoutSeconds: 600,
      log: createLogger({}, () => {}),
      recheck: () => {},
      updatesRestartPolicy,
    });
    gates.push(gate);
    expect(await gate.mayStart(id, containers)).toBe(true);
    return { id, gate, calls };
  }

  const helperExited = (exitCode: number) => [
    containers[0],
    containerInspect({
      id: 'helper',
      role: HELPER_ROLE,
      name: 'interlink-mesh',
      status: 'exited',
      exitCode,
      labels: { [HELPER_KIND_LABEL]: 'mesh', [LABEL.podUid]: 'u' },
    }),
  ];

  it('switches the helper to on-failure on Docker, and leaves restarting it to Docker', async () => {
    vi.useFakeTimers();
    const { id, gate, calls } = await upMesh(true);
    expect(calls).toEqual([['update', '--restart', 'on-failure', 'helper']]);
    expect(await gate.mayStart(id, helperExited(1) as never)).toBe(true);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toHaveLength(1);
  });

  it('starts a helper that failed again itself where the engine cannot switch it (Podman), with back-off', async () => {
    vi.useFakeTimers();
    const { id, gate, calls } = await upMesh(false);
    expect(calls).toEqual([]);
    expect(await gate.mayStart(id, helperExited(1) as never)).toBe(true);
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toEqual([['start', 'helper']]);
    // It failed again at once: the next start waits twice as long.
    expect(await gate.mayStart(id, helperExited(1) as never)).toBe(true);
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toEqual([
      ['start', 'helper'],
      ['start', 'helper'],
    ]);
  });

  it('leaves a helper that ended well, or a pod being deleted, alone', async () => {
    vi.useFakeTimers();
    const ended = await upMesh(false);
    expect(await ended.gate.mayStart(ended.id, helperExited(0) as never)).toBe(true);
    const deleted = await upMesh(false);
    expect(await deleted.gate.mayStart(deleted.id, helperExited(1) as never)).toBe(true);
    deleted.gate.forget(deleted.id);
    await vi.advanceTimersByTimeAsync(60_000);
    expect([...ended.calls, ...deleted.calls]).toEqual([]);
  });
});
