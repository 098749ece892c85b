/** GET /getLogs as interLink sends it: every option present, Follow streaming, unknown pods refused. */
import { randomUUID } from 'node:crypto';
import { UNSET_LOG_OPTS } from '../../contract/interlink-wire.ts';
import { logsRequest } from '../../interlink-payloads/index.ts';
import { fail, Mismatches, show, textMismatch } from '../checks.ts';
import { sh } from '../run-to-end.ts';
import type { Scenario } from '../scenario.ts';

/** RFC 3339 with optional fraction, then one space: how `timestamps=true` prefixes each line. */
const TIMESTAMPED = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})) (.*)$/;
/** Gap the container leaves between its first and last lines. */
const GAP_SECONDS = 6;
/** How long a followed log may stay open after the container ended. */
const FOLLOW_END_GRACE_MS = 15_000;

export const logScenarios: Scenario[] = [
  {
    id: 'logs-options',
    group: 'logs',
    checks:
      `A container prints "early", waits ${GAP_SECONDS} s, prints three more lines and ends. SinceSeconds (a few ` +
      'seconds) gives only the late lines; Tail 2 the last two; Bytes 3 the first three bytes; Timestamps ' +
      'prefixes every line with an RFC 3339 time and a space; no option gives everything.',
    async run(ctx) {
      const pod = ctx.pod({
        name: 'logs-options',
        containers: [
          {
            name: 'main',
            command: sh(`echo early; sleep ${GAP_SECONDS}; echo late-1; echo late-2; echo late-3`),
          },
        ],
      });
      await pod.create();
      const status = await pod.waitFor();
      const seenEnd = Date.now();
      pod.expect({ phase: 'Succeeded', containers: { main: { exitCode: 0 } } });

      const found = new Mismatches();
      // First, while "early" is still well outside the window: the late lines are at most this old.
      const finishedAt = status.containers[0]?.state.terminated?.finishedAt;
      const lateAge =
        (Date.now() - (finishedAt ? Date.parse(finishedAt) : seenEnd - ctx.settings.pollIntervalMs)) / 1000;
      const since = Math.max(1, Math.ceil(lateAge) + 1);
      if (since >= GAP_SECONDS) {
        found.add(
          `could not check SinceSeconds: the container ended ${lateAge.toFixed(1)} s before the kit could ask, ` +
            `too late to tell lines ${GAP_SECONDS} s apart`,
        );
      } else {
        found.add(
          textMismatch(
            `logs with SinceSeconds ${since}`,
            'late-1\nlate-2\nlate-3\n',
            await pod.logs('main', { SinceSeconds: since }),
          ),
        );
      }
      found.add(
        textMismatch('logs with no option', 'early\nlate-1\nlate-2\nlate-3\n', await pod.logs('main')),
      );
      found.add(textMismatch('logs with Tail 2', 'late-2\nlate-3\n', await pod.logs('main', { Tail: 2 })));
      found.add(textMismatch('logs with Bytes 3', 'ear', await pod.logs('main', { Bytes: 3 })));

      const stamped = await pod.logs('main', { Timestamps: true });
      const lines = stamped.endsWith('\n') ? stamped.slice(0, -1).split('\n') : stamped.split('\n');
      const parsed = lines.map((l) => TIMESTAMPED.exec(l));
      const bad = lines.findIndex((_, i) => !parsed[i]);
      if (bad >= 0) {
        found.add(
          `expected every line of logs with Timestamps to start with an RFC 3339 time and a space, got line ${bad + 1} ${show(lines[bad])}`,
        );
      } else {
        found.add(
          textMismatch(
            'logs with Timestamps, timestamps removed',
            'early\nlate-1\nlate-2\nlate-3\n',
            parsed.map((m) => `${m?.[2]}\n`).join(''),
          ),
        );
        const first = Date.parse(parsed[0]?.[1] ?? '');
        const second = Date.parse(parsed[1]?.[1] ?? '');
        if (!(second - first >= (GAP_SECONDS - 1) * 1000)) {
          found.add(
            `expected the timestamps of "early" and "late-1" about ${GAP_SECONDS} s apart, got ${show(parsed[0]?.[1])} and ${show(parsed[1]?.[1])}`,
          );
        }
      }
      found.throwIfAny();
      await pod.teardown();
    },
  },
  {
    id: 'logs-follow',
    group: 'logs',
    checks:
      `With Opts.Follow the answer streams: a container prints "first", waits ${GAP_SECONDS} s, prints "second" and ` +
      'ends; followed while it runs, "first" arrives well before "second", and the stream ends by itself once ' +
      'the container has ended, with exactly both lines.',
    async run(ctx) {
      const pod = ctx.shellPod('logs-follow', `echo first; sleep ${GAP_SECONDS}; echo second`);
      await pod.create();
      await pod.waitFor('Running');
      if (pod.phase !== 'Running') {
        fail(
          `expected to see the pod Running (it runs for ${GAP_SECONDS} s) before following its log, but the VK phase went straight to ${pod.phase}`,
        );
      }
      ctx.setStep('GET /getLogs with Follow while the container runs');
      const stop = new AbortController();
      const onAbort = () => stop.abort(ctx.signal.reason);
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      let endedByKit = false;
      let text = '';
      let firstAt: number | undefined;
      let secondAt: number | undefined;
      try {
        const stream = await ctx.wire.client.logsStream(
          logsRequest(pod.pod, 'main', { Follow: true }),
          stop.signal,
        );
        if (stream.status !== 200) {
          let body = '';
          for await (const chunk of stream.body) body += Buffer.from(chunk).toString('utf8');
          fail(`expected GET /getLogs with Follow to answer 200, got ${stream.status}: ${show(body)}`);
        }
        // Started once the pod runs; the container ends GAP_SECONDS later, plus the grace.
        const limit = setTimeout(
          () => {
            endedByKit = true;
            stop.abort(new Error('follow limit'));
          },
          GAP_SECONDS * 1000 + FOLLOW_END_GRACE_MS,
        );
        const decoder = new TextDecoder();
        try {
          for await (const chunk of stream.body) {
            text += decoder.decode(chunk, { stream: true });
            if (firstAt === undefined && text.includes('first\n')) firstAt = Date.now();
            if (secondAt === undefined && text.includes('second\n')) secondAt = Date.now();
          }
        } catch (error) {
          if (!endedByKit) throw error;
        } finally {
          clearTimeout(limit);
        }
      } finally {
        ctx.signal.removeEventListener('abort', onAbort);
      }
      ctx.signal.throwIfAborted();
      if (endedByKit) {
        fail(
          `expected the followed log to end once the container ended, but it was still open ` +
            `${FOLLOW_END_GRACE_MS / 1000} s after that (received ${show(text)})`,
        );
      }
      const problem = textMismatch('followed logs', 'first\nsecond\n', text);
      if (problem)
        fail(`${problem}${text === 'first\n' ? ' (the stream ended before the container did)' : ''}`);
      const gap = ((secondAt ?? 0) - (firstAt ?? 0)) / 1000;
      if (gap < 1) {
        fail(
          `expected the followed log to stream as the container wrote it: "first" arrived only ${gap.toFixed(1)} s ` +
            `before "second" (written ${GAP_SECONDS} s apart), so the plugin seems to hold the log until the container ends`,
        );
      }
      ctx.note(`followed log: "second" arrived ${gap.toFixed(1)} s after "first"`);
      await pod.waitFor();
      pod.expect({ phase: 'Succeeded', containers: { main: { exitCode: 0 } } });
      await pod.teardown();
    },
  },
  {
    id: 'logs-unknown-pod',
    group: 'logs',
    checks:
      "GET /getLogs for a pod the plugin does not know answers 404 with the contract's JSON Error body.",
    async run(ctx) {
      ctx.setStep('GET /getLogs of an unknown pod');
      const uid = randomUUID();
      const body = {
        Namespace: ctx.settings.namespace,
        PodUID: uid,
        PodName: `conf-no-such-pod-${uid.slice(0, 8)}`,
        ContainerName: 'main',
        Opts: { ...UNSET_LOG_OPTS },
      };
      const answer = await ctx.wire.send('GET', '/getLogs', JSON.stringify(body));
      ctx.wire.expectClientError(answer, 'a pod it does not know', 404);
    },
  },
];
