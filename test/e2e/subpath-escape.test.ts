/**
 * A subPath swapped for a symlink must never give a container the host's files (the pattern of
 * CVE-2017-1002101 / CVE-2021-25741): not when Docker restarts the container itself, not when an
 * init container or a sibling plants the symlink, not in a hostPath volume. Each container run
 * looks for a marker file that only the host's own root filesystem holds and prints what it saw.
 */
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { Pod, PodStatus } from '../../src/contract/api-types.ts';
import { buildPod, type ContainerInput } from '../fixtures/pod-builder.ts';
import { describeDocker } from '../helpers/docker.ts';
import { startPlugin } from '../helpers/plugin-process.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import { createPod, deletePod, logsOf } from './pod-session.ts';
import { allRunning, pollStatus } from './poll.ts';

const sh = (name: string, script: string, extra: Partial<ContainerInput> = {}): ContainerInput => ({
  name,
  command: ['sh', '-c'],
  args: [script],
  ...extra,
});

/** Mounts under `dir` in this process's mount namespace (the plugin's: it is our child). */
function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => point === dir || point.startsWith(`${dir}/`));
}

async function until<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 100_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await read();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not happen in ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
}

describeDocker('subPath symlink swaps', () => {
  const allowedDir = mkdtempSync(join(tmpdir(), 'subpath-allowed-'));
  // Only the host's root filesystem has this file: a container that finds it under /m sees the host.
  const markerDir = mkdtempSync(join(tmpdir(), 'subpath-marker-'));
  const marker = join(markerDir, 'host-root-marker');
  writeFileSync(marker, 'the host\n');
  /** One line per run: what the container sees at /m (printed, and kept in /vol/runs across restarts). */
  const check = `if [ -e /m${marker} ]; then echo run:ESCAPED; else echo run:SAFE; fi | tee -a /vol/runs`;
  const checkOnce = `if [ -e /m${marker} ]; then echo run:ESCAPED; else echo run:SAFE; fi`;
  const swap = 'rm -rf /vol/x; ln -s / /vol/x';

  // Registered before usePlugin, so it runs after its stopAll (vitest runs after-hooks as a stack).
  afterAll(() => {
    rmSync(allowedDir, { recursive: true, force: true });
    rmSync(markerDir, { recursive: true, force: true });
  });
  const plugin = usePlugin({ args: ['--allowed-host-paths', allowedDir] }, 150_000);

  const runs = async (pod: Pod, container: string) =>
    (await logsOf(plugin, pod, container)).split('\n').filter((l) => l.startsWith('run:'));

  /** What every run so far saw, from the runs file in the volume's directory on the host. */
  const runsIn = (volumeDir: string) => {
    const file = join(volumeDir, 'runs');
    return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
  };
  const emptyDirOf = (pod: Pod) => join(plugin.stateDir, 'pods', pod.metadata.uid, 'volumes', 'scratch');

  /**
   * Waits until the container ran again after the swap (`ranAgain`), or could not: a pinned
   * directory the container deleted cannot be bound (Docker's start fails), and the plugin refuses
   * a start on a symlink (CreateContainerConfigError). Returns what every run saw.
   */
  const afterSwap = (
    pod: Pod,
    jid: string,
    container: string,
    volumeDir: string,
    ranAgain: (runs: string[]) => boolean,
  ) =>
    until(`a start of ${container} after the swap`, async () => {
      const seen = runsIn(volumeDir);
      if (ranAgain(seen)) return seen;
      const status = await pollStatus(plugin, pod, jid, () => true);
      const state = status.containers.find((c) => c.name === container)?.state;
      // Docker's own restart after the container deleted its pinned directory: runc cannot mount it.
      const refused =
        /error mounting/.test(state?.terminated?.message ?? '') ||
        state?.waiting?.reason === 'CreateContainerConfigError';
      return refused ? runsIn(volumeDir) : undefined;
    });

  const scratch = { name: 'scratch', emptyDir: {} };

  it("keeps a container's subPath its own when Docker restarts it after it swapped the subPath for a symlink to /", async () => {
    const pod = buildPod({
      restartPolicy: 'Always',
      volumes: [scratch],
      containers: [
        sh('swapper', `${check}; ${swap}; exit 1`, {
          volumeMounts: [
            { name: 'scratch', mountPath: '/vol' },
            { name: 'scratch', mountPath: '/m', subPath: 'x' },
          ],
        }),
      ],
    });
    const jid = await createPod(plugin, pod);
    const seen = await afterSwap(pod, jid, 'swapper', emptyDirOf(pod), (runs) => runs.length >= 2);
    expect(seen[0]).toBe('run:SAFE');
    expect(seen).not.toContain('run:ESCAPED');
  }, 150_000);

  it('never starts a container on a subPath an init container swapped for a symlink to /', async () => {
    const pod = buildPod({
      restartPolicy: 'Never',
      volumes: [scratch],
      initContainers: [
        sh('planter', `mkdir -p /vol/x; ${swap}`, { volumeMounts: [{ name: 'scratch', mountPath: '/vol' }] }),
      ],
      containers: [
        sh('victim', checkOnce, { volumeMounts: [{ name: 'scratch', mountPath: '/m', subPath: 'x' }] }),
      ],
    });
    const jid = await createPod(plugin, pod);
    // Either the kubelet's answer (the container is not started, with a reason) or a run that saw its own directory.
    const victim = (s: PodStatus) => s.containers[0]?.state;
    const status = await pollStatus(
      plugin,
      pod,
      jid,
      (s) =>
        victim(s)?.terminated !== undefined ||
        /Error/.test(victim(s)?.waiting?.reason ?? '') ||
        (s.initContainers[0]?.state.terminated?.exitCode !== 0 &&
          s.initContainers[0]?.state.terminated !== undefined),
      60_000,
    );
    expect(status.initContainers[0]?.state.terminated?.exitCode).toBe(0);
    if (victim(status)?.terminated) expect(await runs(pod, 'victim')).toEqual(['run:SAFE']);
    else expect(victim(status)?.waiting?.message).toMatch(/symlink/);
  }, 150_000);

  it('keeps a subPath its own across restarts after a sibling container swapped it for a symlink to /', async () => {
    const pod = buildPod({
      restartPolicy: 'Always',
      volumes: [scratch],
      containers: [
        sh('victim', `${check}; [ -L /vol/x ] && echo run:after-swap >> /vol/runs; sleep 1; exit 1`, {
          volumeMounts: [
            { name: 'scratch', mountPath: '/vol' },
            { name: 'scratch', mountPath: '/m', subPath: 'x' },
          ],
        }),
        sh('attacker', `until [ -d /vol/x ]; do sleep 0.2; done; ${swap}; sleep 3600`, {
          volumeMounts: [{ name: 'scratch', mountPath: '/vol' }],
        }),
      ],
    });
    const jid = await createPod(plugin, pod);
    const seen = await afterSwap(pod, jid, 'victim', emptyDirOf(pod), (runs) => {
      const after = runs.indexOf('run:after-swap');
      // The run that follows the one that saw the swap.
      return after >= 0 && runs.length > after + 1;
    });
    expect(seen[0]).toBe('run:SAFE');
    expect(seen).not.toContain('run:ESCAPED');
  }, 150_000);

  it('keeps a hostPath subPath its own when Docker restarts a container that swapped it for a symlink to /', async () => {
    const data = join(allowedDir, 'data');
    mkdirSync(join(data, 'x'), { recursive: true });
    const pod = buildPod({
      restartPolicy: 'Always',
      volumes: [{ name: 'host', hostPath: { path: data, type: 'Directory' } }],
      containers: [
        sh('swapper', `${check}; ${swap}; exit 1`, {
          volumeMounts: [
            { name: 'host', mountPath: '/vol' },
            { name: 'host', mountPath: '/m', subPath: 'x' },
          ],
        }),
      ],
    });
    const jid = await createPod(plugin, pod);
    const seen = await afterSwap(pod, jid, 'swapper', data, (runs) => runs.length >= 2);
    expect(seen[0]).toBe('run:SAFE');
    expect(seen).not.toContain('run:ESCAPED');
  }, 150_000);

  it("keeps a pod's whole hostPath its own when another pod that may write the allowed directory swaps it for a symlink to /", async () => {
    const shared = join(allowedDir, 'shared');
    mkdirSync(join(shared, 'x'), { recursive: true });
    const victim = buildPod({
      restartPolicy: 'Always',
      volumes: [{ name: 'host', hostPath: { path: join(shared, 'x'), type: 'Directory' } }, scratch],
      containers: [
        sh('victim', `${check}; touch /m/ready 2>/dev/null; sleep 1; exit 1`, {
          volumeMounts: [
            { name: 'host', mountPath: '/m' },
            { name: 'scratch', mountPath: '/vol' },
          ],
        }),
      ],
    });
    const attacker = buildPod({
      volumes: [{ name: 'host', hostPath: { path: shared, type: 'Directory' } }],
      containers: [
        sh('attacker', `until [ -e /vol/x/ready ]; do sleep 0.2; done; ${swap}; sleep 3600`, {
          volumeMounts: [{ name: 'host', mountPath: '/vol' }],
        }),
      ],
    });
    const jid = await createPod(plugin, victim);
    await createPod(plugin, attacker);
    await until('the swap', async () => (lstatSync(join(shared, 'x')).isSymbolicLink() ? true : undefined));
    const before = runsIn(emptyDirOf(victim)).length;
    const seen = await afterSwap(victim, jid, 'victim', emptyDirOf(victim), (runs) => runs.length > before);
    expect(seen[0]).toBe('run:SAFE');
    expect(seen).not.toContain('run:ESCAPED');
  }, 150_000);

  it('pins a hostPath subPath while the pod runs and leaves no mount and every host file behind after delete', async () => {
    const data = join(allowedDir, 'kept');
    mkdirSync(join(data, 'x'), { recursive: true });
    writeFileSync(join(data, 'x', 'precious'), 'host data\n');
    const pod = buildPod({
      volumes: [{ name: 'host', hostPath: { path: data, type: 'Directory' } }, scratch],
      terminationGracePeriodSeconds: 1,
      containers: [
        sh('app', 'sleep 3600', {
          volumeMounts: [
            { name: 'host', mountPath: '/h', subPath: 'x' },
            { name: 'scratch', mountPath: '/s', subPath: 'y/z' },
          ],
        }),
      ],
    });
    const jid = await createPod(plugin, pod);
    await pollStatus(plugin, pod, jid, allRunning, 60_000);
    const podDir = join(plugin.stateDir, 'pods', pod.metadata.uid);
    expect(mountsUnder(podDir).length).toBeGreaterThanOrEqual(2);
    await deletePod(plugin, pod, jid);
    expect(mountsUnder(plugin.stateDir)).toEqual([]);
    expect(existsSync(podDir)).toBe(false);
    expect(readFileSync(join(data, 'x', 'precious'), 'utf8')).toBe('host data\n');
  }, 150_000);

  it('finds its pins again after a plugin restart and removes them with the pod', async () => {
    const data = join(allowedDir, 'restart');
    mkdirSync(join(data, 'x'), { recursive: true });
    writeFileSync(join(data, 'x', 'precious'), 'host data\n');
    const pod = buildPod({
      volumes: [{ name: 'host', hostPath: { path: data, type: 'Directory' } }],
      containers: [
        sh('app', 'sleep 3600', { volumeMounts: [{ name: 'host', mountPath: '/h', subPath: 'x' }] }),
      ],
    });
    const first = await startPlugin({ args: ['--allowed-host-paths', allowedDir] });
    let current = first;
    const jid = await createPod(() => current, pod);
    await pollStatus(first, pod, jid, allRunning, 60_000);
    const podDir = join(first.stateDir, 'pods', pod.metadata.uid);
    const pinned = mountsUnder(podDir);
    expect(pinned.length).toBeGreaterThanOrEqual(1);
    await first.stop('SIGTERM');
    current = await startPlugin({
      instance: first.instance,
      stateDir: first.stateDir,
      args: ['--allowed-host-paths', allowedDir],
    });
    await pollStatus(current, pod, jid, allRunning, 60_000);
    expect(mountsUnder(podDir)).toEqual(pinned);
    await deletePod(current, pod, jid);
    expect(mountsUnder(first.stateDir)).toEqual([]);
    expect(existsSync(podDir)).toBe(false);
    expect(readFileSync(join(data, 'x', 'precious'), 'utf8')).toBe('host data\n');
  }, 150_000);
});
