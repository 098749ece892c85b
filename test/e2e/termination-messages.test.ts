/**
 * Termination messages as a Kubernetes user reads them (`kubectl describe pod`, Tekton's and Argo's
 * step results): what a container wrote at its terminationMessagePath, or its log's tail with
 * FallbackToLogsOnError, in state.terminated.message and lastState.terminated.message.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { ContainerStatus, PodStatus } from '../../src/contract/api-types.ts';
import { buildPod } from '../fixtures/pod-builder.ts';
import { describeDocker } from '../helpers/docker.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import { createPod, deletePod, sh } from './pod-session.ts';
import { allTerminated, pollStatus } from './poll.ts';

describeDocker('termination messages', () => {
  const plugin = usePlugin();

  const named = (s: PodStatus, name: string) => s.containers.find((c) => c.name === name) as ContainerStatus;
  const first = (s: PodStatus) => s.containers[0] as ContainerStatus;
  const withMessage = (s: PodStatus) => first(s).state.terminated?.message !== undefined;

  it('shows what a failed container wrote to /dev/termination-log', async () => {
    const pod = buildPod({
      restartPolicy: 'Never',
      containers: [sh('writer', 'printf "disk full\\non /data" > /dev/termination-log; exit 1')],
    });
    const jid = await createPod(plugin, pod);
    const status = await pollStatus(plugin, pod, jid, withMessage);
    expect(first(status).state.terminated).toMatchObject({
      exitCode: 1,
      reason: 'Error',
      message: 'disk full\non /data',
    });
    await deletePod(plugin, pod, jid);
  });

  it('keeps the last 4096 bytes of a longer message, and reads only those of a 64 MiB one', async () => {
    const pod = buildPod({
      restartPolicy: 'Never',
      containers: [
        sh(
          'long',
          'head -c 904 /dev/zero | tr "\\0" a > /dev/termination-log; head -c 4096 /dev/zero | tr "\\0" b >> /dev/termination-log',
        ),
        sh('huge', 'dd if=/dev/zero bs=1048576 count=64 2>/dev/null > /tmp/huge; printf end >> /tmp/huge', {
          terminationMessagePath: '/tmp/huge',
        }),
      ],
    });
    const jid = await createPod(plugin, pod);
    const status = await pollStatus(
      plugin,
      pod,
      jid,
      (s) => allTerminated(s) && s.containers.every((c) => c.state.terminated?.message !== undefined),
    );
    expect(named(status, 'long').state.terminated?.message).toBe('b'.repeat(4096));
    const huge = named(status, 'huge').state.terminated?.message ?? '';
    // Two containers share the pod's 12 KiB: 6144 bytes each, more than the 4096 read.
    expect(Buffer.byteLength(huge)).toBe(4096);
    expect(huge.endsWith('\0end')).toBe(true);
    await deletePod(plugin, pod, jid);
  });

  it("cuts each message of a pod to its share of 12 KiB: 3072 bytes each of four containers'", async () => {
    const names = ['w1', 'w2', 'w3', 'w4'];
    const pod = buildPod({
      restartPolicy: 'Never',
      containers: names.map((n) =>
        sh(n, 'head -c 4096 /dev/zero | tr "\\0" m > /dev/termination-log; exit 1'),
      ),
    });
    const jid = await createPod(plugin, pod);
    const status = await pollStatus(
      plugin,
      pod,
      jid,
      (s) => allTerminated(s) && s.containers.every((c) => c.state.terminated?.message !== undefined),
    );
    for (const n of names) expect(named(status, n).state.terminated?.message).toBe('m'.repeat(3072));
    await deletePod(plugin, pod, jid);
  });

  it('reads the file at a custom terminationMessagePath, even /etc/passwd, and makes bytes valid text', async () => {
    const pod = buildPod({
      restartPolicy: 'Never',
      containers: [
        sh('custom', 'echo -n "custom path" > /var/run/result; exit 3', {
          terminationMessagePath: '/var/run/result',
        }),
        sh('passwd', 'printf "\\377\\376ok \\342\\202" > /etc/passwd', {
          terminationMessagePath: '/etc/passwd',
        }),
      ],
    });
    const jid = await createPod(plugin, pod);
    const status = await pollStatus(
      plugin,
      pod,
      jid,
      (s) => allTerminated(s) && s.containers.every((c) => c.state.terminated?.message !== undefined),
    );
    expect(named(status, 'custom').state.terminated).toMatchObject({ exitCode: 3, message: 'custom path' });
    // Each byte that begins no valid sequence is one U+FFFD, as Go's JSON encoder writes it.
    expect(named(status, 'passwd').state.terminated?.message).toBe('\uFFFD\uFFFDok \uFFFD\uFFFD');
    await deletePod(plugin, pod, jid);
  });

  it('shows the tail of the log of a failed container with FallbackToLogsOnError, and nothing for one that succeeded', async () => {
    const lines =
      'i=1; while [ $i -le 100 ]; do printf "line %03d %s\\n" $i 0123456789012345678901234567890; i=$((i+1)); done';
    const pod = buildPod({
      restartPolicy: 'Never',
      containers: [
        sh('failed', `${lines}; sleep 0.2; echo to-stderr >&2; sleep 0.2; exit 2`, {
          terminationMessagePolicy: 'FallbackToLogsOnError',
        }),
        sh('succeeded', `${lines}`, { terminationMessagePolicy: 'FallbackToLogsOnError' }),
        sh('short', 'i=1; while [ $i -le 100 ]; do printf "n %03d\\n" $i; i=$((i+1)); done; exit 1', {
          terminationMessagePolicy: 'FallbackToLogsOnError',
        }),
        sh('wrote', 'echo noise; echo -n own > /dev/termination-log; exit 4', {
          terminationMessagePolicy: 'FallbackToLogsOnError',
        }),
      ],
    });
    const jid = await createPod(plugin, pod);
    const status = await pollStatus(
      plugin,
      pod,
      jid,
      (s) =>
        allTerminated(s) &&
        named(s, 'failed').state.terminated?.message !== undefined &&
        named(s, 'short').state.terminated?.message !== undefined &&
        named(s, 'wrote').state.terminated?.message !== undefined,
    );
    const failed = named(status, 'failed').state.terminated?.message ?? '';
    // 80 lines of 41 bytes are more than 2048 bytes: the last 2048 of them, stderr's too.
    expect(Buffer.byteLength(failed)).toBe(2048);
    expect(failed.endsWith('line 100 0123456789012345678901234567890\nto-stderr\n')).toBe(true);
    expect(failed.startsWith('3456789012345678901234567890\nline 052 ')).toBe(true);
    // 100 short lines: the last 80 of them.
    const short = Array.from({ length: 80 }, (_, i) => `n ${String(i + 21).padStart(3, '0')}\n`).join('');
    expect(named(status, 'short').state.terminated?.message).toBe(short);
    expect(named(status, 'succeeded').state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(named(status, 'succeeded').state.terminated?.message).toBeUndefined();
    expect(named(status, 'wrote').state.terminated?.message).toBe('own');
    await deletePod(plugin, pod, jid);
  });

  it("shows the previous run's message in lastState under Always, and none for a run that wrote nothing", async () => {
    const pod = buildPod({
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 0,
      volumes: [{ name: 'work', emptyDir: {} }],
      containers: [
        sh(
          'looper',
          'echo x >> /work/runs; n=$(wc -l < /work/runs); if [ "$n" -eq 1 ]; then echo -n "run 1" > /dev/termination-log; exit 1; fi; if [ "$n" -eq 2 ]; then sleep 3; exit 1; fi; exec sleep 300',
          { volumeMounts: [{ name: 'work', mountPath: '/work' }] },
        ),
      ],
    });
    const jid = await createPod(plugin, pod);
    const afterFirst = await pollStatus(
      plugin,
      pod,
      jid,
      (s) => first(s).restartCount === 1 && first(s).lastState?.terminated?.message !== undefined,
    );
    expect(first(afterFirst).lastState?.terminated).toMatchObject({ exitCode: 1, message: 'run 1' });
    // The second run writes nothing: the file still holds run 1's words, which are not its message.
    const afterSecond = await pollStatus(
      plugin,
      pod,
      jid,
      (s) =>
        first(s).restartCount === 2 &&
        first(s).state.running !== undefined &&
        first(s).lastState?.terminated !== undefined &&
        first(s).lastState?.terminated?.message === undefined,
    );
    expect(first(afterSecond).lastState?.terminated?.exitCode).toBe(1);
    await deletePod(plugin, pod, jid);
  });

  it('refuses to be steered: removing, linking over or replacing the file leaves a regular file the plugin reads', async () => {
    const pod = buildPod({
      restartPolicy: 'Never',
      containers: [
        sh(
          'attacker',
          [
            'rm -f /dev/termination-log',
            'ln -sf /etc/shadow /tmp/link; mv -f /tmp/link /dev/termination-log',
            'mkfifo /tmp/fifo; mv -f /tmp/fifo /dev/termination-log',
            'echo -n still-a-file > /dev/termination-log',
            'exit 1',
          ].join('; '),
        ),
      ],
    });
    const jid = await createPod(plugin, pod);
    const status = await pollStatus(plugin, pod, jid, withMessage);
    expect(first(status).state.terminated).toMatchObject({ exitCode: 1, message: 'still-a-file' });
    const file = join(plugin.stateDir, 'pods', pod.metadata.uid, 'termination', 'main-attacker');
    expect((await fs.lstat(file)).isFile()).toBe(true);
    expect(await fs.readFile(file, 'utf8')).toBe('still-a-file');
    await deletePod(plugin, pod, jid);
  });

  it('still shows the message once the plugin restarted', async () => {
    const pod = buildPod({
      restartPolicy: 'Never',
      containers: [sh('writer', 'echo -n "before the restart" > /dev/termination-log; exit 5')],
    });
    const jid = await createPod(plugin, pod);
    await pollStatus(plugin, pod, jid, withMessage);
    await plugin.stop();
    await plugin.startAgain();
    const after = await pollStatus(plugin, pod, jid, withMessage);
    expect(first(after).state.terminated).toMatchObject({ exitCode: 5, message: 'before the restart' });
    await deletePod(plugin, pod, jid);
  });
});
