/** GET /getLogs with each of interLink's options, as `kubectl logs` users rely on them. */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogOpts, Pod } from '../../src/contract/api-types.ts';
import { buildCreateRequest, buildPod, deleteRequest, logsRequest } from '../fixtures/pod-builder.ts';
import { describeDocker, runDocker } from '../helpers/docker.ts';
import type { RunningPlugin } from '../helpers/plugin-process.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import { createPod, deletePod, expectRefusal, JSON_ERRORS, logsOf, podContainerIds } from './pod-session.ts';
import { allRunning, allTerminated, pollStatus } from './poll.ts';

const RFC3339_PREFIX = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d) /;

interface StreamedLogs {
  chunks: { at: number; text: string }[];
  endedAt: number;
  text: string;
}

/** A followed GET /getLogs read chunk by chunk as the plugin sends them, until the answer ends. */
function followLogs(
  plugin: RunningPlugin,
  body: unknown,
  timeoutMs = 30_000,
  onData: (soFar: string) => void = () => {},
): Promise<StreamedLogs> {
  const payload = JSON.stringify(body);
  const url = new URL('/getLogs', plugin.baseUrl);
  return new Promise((resolve, reject) => {
    const chunks: StreamedLogs['chunks'] = [];
    const req = request(
      {
        method: 'GET',
        hostname: url.hostname,
        port: url.port,
        path: url.pathname,
        headers: { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(payload)) },
      },
      (res) => {
        if (res.statusCode !== 200) reject(new Error(`getLogs answered ${res.statusCode}`));
        res.setEncoding('utf8');
        res.on('data', (text: string) => {
          chunks.push({ at: Date.now(), text });
          onData(chunks.map((c) => c.text).join(''));
        });
        res.on('error', reject);
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ chunks, endedAt: Date.now(), text: chunks.map((c) => c.text).join('') });
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      reject(
        new Error(
          `the followed log did not end within ${timeoutMs} ms; got: ${chunks.map((c) => c.text).join('')}`,
        ),
      );
    }, timeoutMs);
    req.on('error', reject);
    req.end(payload);
  });
}

async function waitForLogs(
  plugin: RunningPlugin,
  pod: Pod,
  container: string,
  text: string,
): Promise<number> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if ((await logsOf(plugin, pod, container)).includes(text)) return Date.now();
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${container} never printed ${JSON.stringify(text)}`);
}

/** RFC 3339 to the second, as Go marshals a metav1.Time. */
const goTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

describeDocker('container logs', () => {
  const plugin = usePlugin();

  describe('of a finished container that printed five lines', () => {
    const pod = buildPod({
      containers: [{ name: 'talker', command: ['sh', '-c', 'for i in 1 2 3 4 5; do echo "line $i"; done'] }],
    });
    beforeAll(async () => {
      const created = await plugin.request('POST', '/create', buildCreateRequest(pod));
      expect(created.status).toBe(200);
      await pollStatus(plugin, pod, created.json().PodJID, allTerminated);
    });
    afterAll(async () => {
      await plugin.request('POST', '/delete', deleteRequest(pod));
    });

    it.each<[string, Partial<LogOpts>, string]>([
      ['everything with no options', {}, 'line 1\nline 2\nline 3\nline 4\nline 5\n'],
      ['the last lines with Tail', { Tail: 2 }, 'line 4\nline 5\n'],
      ['the first bytes with Bytes', { Bytes: 10 }, 'line 1\nlin'],
      [
        'everything when Bytes is more than there is',
        { Bytes: 1000 },
        'line 1\nline 2\nline 3\nline 4\nline 5\n',
      ],
    ])('returns %s', async (_label, opts, want) => {
      expect(await logsOf(plugin, pod, 'talker', opts)).toBe(want);
    });

    it('prefixes every line with an RFC 3339 timestamp with Timestamps', async () => {
      const lines = (await logsOf(plugin, pod, 'talker', { Timestamps: true })).split('\n');
      expect(lines.pop()).toBe('');
      expect(lines).toHaveLength(5);
      lines.forEach((line, i) => {
        expect(line).toMatch(RFC3339_PREFIX);
        expect(line.replace(RFC3339_PREFIX, '')).toBe(`line ${i + 1}`);
      });
    });

    it.each<[string, Partial<LogOpts>]>([
      ['Tail with Bytes', { Tail: 1, Bytes: 1 }],
      ['SinceSeconds with SinceTime', { SinceSeconds: 5, SinceTime: '2024-01-01T00:00:00Z' }],
    ])('refuses %s with a 400, as interLink does', async (_label, opts) => {
      const res = await plugin.request('GET', '/getLogs', logsRequest(pod, 'talker', opts), JSON_ERRORS);
      expect(expectRefusal(res, 400).error).toMatch(/cannot be used together/);
    });
  });

  it('returns only what was printed after SinceSeconds ago, and after SinceTime', async () => {
    const pod = buildPod({
      terminationGracePeriodSeconds: 0,
      containers: [{ name: 'app', command: ['sh', '-c', 'echo early; sleep 5; echo late; sleep 60'] }],
    });
    const jid = await createPod(plugin, pod);
    await waitForLogs(plugin, pod, 'app', 'late');
    // "late" was printed less than 3 s ago, "early" 5 s before it.
    expect(await logsOf(plugin, pod, 'app', { SinceSeconds: 3 })).toBe('late\n');

    const stamped = await logsOf(plugin, pod, 'app', { Timestamps: true });
    const earlyAt = Date.parse((stamped.split(' ')[0] as string).replace(/(\.\d{3})\d*Z$/, '$1Z'));
    // The next whole second after "early": still well before "late".
    const since = goTime(Math.floor(earlyAt / 1000) * 1000 + 1000);
    expect(await logsOf(plugin, pod, 'app', { SinceTime: since })).toBe('late\n');
    expect(await logsOf(plugin, pod, 'app', { SinceTime: goTime(earlyAt - 5000) })).toBe('early\nlate\n');
    await deletePod(plugin, pod, jid);
  });

  it('streams a followed log while the container runs and ends the answer when the container ends', async () => {
    const pod = buildPod({
      containers: [
        {
          name: 'ticker',
          // The second line waits for the test to open the gate: the stream is surely read mid-run.
          command: ['sh', '-c', 'echo tick 1; while [ ! -e /tmp/gate ]; do sleep 1; done; echo tick 2'],
        },
      ],
    });
    const jid = await createPod(plugin, pod);
    await pollStatus(plugin, pod, jid, allRunning);
    let firstLine = () => {};
    const firstLineSeen = new Promise<void>((r) => {
      firstLine = r;
    });
    let ended = false;
    const streaming = followLogs(plugin, logsRequest(pod, 'ticker', { Follow: true }), 60_000, (soFar) => {
      if (soFar.includes('tick 1\n')) firstLine();
    }).finally(() => {
      ended = true;
    });
    await Promise.race([firstLineSeen, streaming]);
    // The first line arrived while the container still runs, and the answer stays open meanwhile.
    expect(ended).toBe(false);
    const [id] = await podContainerIds(pod, 'main');
    await runDocker(['exec', id as string, 'touch', '/tmp/gate']);
    const streamed = await streaming;
    expect(streamed.text).toBe('tick 1\ntick 2\n');
    const status = await pollStatus(plugin, pod, jid, allTerminated);
    expect(status.containers[0]?.state.terminated).toMatchObject({ exitCode: 0 });
    await deletePod(plugin, pod, jid);
  });

  /** A pod whose container prints "first run", fails, and once restarted prints "second run" and stays up. */
  async function restartedOnce(): Promise<{ pod: Pod; jid: string }> {
    const pod = buildPod({
      restartPolicy: 'OnFailure',
      terminationGracePeriodSeconds: 0,
      volumes: [{ name: 'work', emptyDir: {} }],
      containers: [
        {
          name: 'app',
          command: [
            'sh',
            '-c',
            'if [ -f /work/ran ]; then echo "second run"; sleep 60; else touch /work/ran; echo "first run"; exit 1; fi',
          ],
          volumeMounts: [{ name: 'work', mountPath: '/work' }],
        },
      ],
    });
    const jid = await createPod(plugin, pod);
    await pollStatus(
      plugin,
      pod,
      jid,
      (s) => s.containers[0]?.restartCount === 1 && s.containers[0].state.running !== undefined,
    );
    await waitForLogs(plugin, pod, 'app', 'second run');
    return { pod, jid };
  }

  it('returns the previous run’s logs, and only those, with Previous after a restart', async () => {
    const { pod, jid } = await restartedOnce();
    expect(await logsOf(plugin, pod, 'app', { Previous: true })).toBe('first run\n');
    await deletePod(plugin, pod, jid);
  });

  it('returns only the current run’s logs after a restart, as kubectl logs does', async () => {
    const { pod, jid } = await restartedOnce();
    expect(await logsOf(plugin, pod, 'app')).toBe('second run\n');
    await deletePod(plugin, pod, jid);
  });

  it('answers Previous with a 400 saying so when the container never restarted', async () => {
    const pod = buildPod({ containers: [{ name: 'once', command: ['echo', 'only run'] }] });
    const jid = await createPod(plugin, pod);
    await pollStatus(plugin, pod, jid, allTerminated);
    const res = await plugin.request(
      'GET',
      '/getLogs',
      logsRequest(pod, 'once', { Previous: true }),
      JSON_ERRORS,
    );
    expect(expectRefusal(res, 400).error).toMatch(/previous terminated container "once".*not found/);
    await deletePod(plugin, pod, jid);
  });

  it('returns an init container’s logs by its name, and a 404 naming the containers for an unknown one', async () => {
    const pod = buildPod({
      initContainers: [{ name: 'setup', command: ['echo', 'init says hi'] }],
      containers: [{ name: 'main', command: ['echo', 'main says hi'] }],
    });
    const jid = await createPod(plugin, pod);
    await pollStatus(plugin, pod, jid, allTerminated);
    expect(await logsOf(plugin, pod, 'setup')).toBe('init says hi\n');
    expect(await logsOf(plugin, pod, 'main')).toBe('main says hi\n');
    const res = await plugin.request('GET', '/getLogs', logsRequest(pod, 'nope'), JSON_ERRORS);
    expect(expectRefusal(res, 404).error).toMatch(/setup, main/);
    await deletePod(plugin, pod, jid);
  });
});
