/**
 * Bodies interLink would never send but a broken client might: the plugin refuses them with a 4xx and
 * the contract's JSON Error body (the contract names 422), and creates nothing. Sent without an Accept
 * header, as interLink sends, the refusal is one plain sentence instead.
 */
import type { RetrievedPodData } from '../../contract/api-types.ts';
import { fail, show } from '../checks.ts';
import type { PodUnderTest } from '../pod-under-test.ts';
import { sh } from '../run-to-end.ts';
import type { Scenario } from '../scenario.ts';
import type { ScenarioContext } from '../scenario-context.ts';

async function refusedCreate(
  ctx: ScenarioContext,
  id: string,
  why: string,
  spoil: (payload: RetrievedPodData, pod: PodUnderTest) => string,
): Promise<void> {
  const pod = ctx.pod({ name: id, containers: [{ name: 'main', command: sh('echo SHOULD-NOT-RUN') }] });
  const body = spoil(structuredClone(pod.createBody), pod);
  ctx.setStep(`POST /create with ${why}`);
  pod.createAttempted = true;
  const answer = await ctx.wire.send('POST', '/create', body);
  ctx.wire.expectClientError(answer, why);
  await pod.expectNoEntry(`whose create was refused (${why})`);
}

/** What Go's html.EscapeString turns into entities when interLink puts the answer into status.message. */
const ESCAPED = /["'<>&]/;

export const badInputScenarios: Scenario[] = [
  {
    id: 'bad-input-plain-text',
    group: 'bad-input',
    checks:
      'POST /create of a pod without metadata.uid, sent as interLink sends it (no Accept header), answers 4xx ' +
      'with one plain line (text/plain, not JSON, nothing HTML would escape) naming the field: interLink puts ' +
      'the body into the pod status message that kubectl describe shows. Nothing is created.',
    async run(ctx) {
      const pod = ctx.shellPod('bad-input-plain-text', 'echo SHOULD-NOT-RUN');
      const payload = structuredClone(pod.createBody);
      delete (payload.pod.metadata as { uid?: string }).uid;
      ctx.setStep('POST /create without metadata.uid and without an Accept header');
      pod.createAttempted = true;
      const answer = await ctx.wire.send('POST', '/create', JSON.stringify(payload), { Accept: '' });
      const why = 'a pod without metadata.uid and no Accept header (as interLink sends)';
      if (answer.status < 400 || answer.status >= 500)
        fail(
          `expected ${answer.call} with ${why} to answer a 4xx, got ${answer.status}: ${show(answer.text)}`,
        );
      const type = answer.headers['content-type'] ?? '';
      if (!type.startsWith('text/plain'))
        fail(
          `expected ${answer.call} with ${why} to answer text/plain (one sentence for kubectl describe), got ` +
            `${show(type || 'no Content-Type')}: ${show(answer.text)}`,
        );
      const line = answer.text.trim();
      if (line === '' || line.includes('\n') || ESCAPED.test(line))
        fail(
          `expected one plain line without quotes, angle brackets or ampersands (interLink HTML-escapes them into ` +
            `the pod's status message), got ${show(answer.text)}`,
        );
      if (!/uid/i.test(line))
        fail(`expected the sentence to name the missing field (metadata.uid), got ${show(line)}`);
      ctx.note(`plain-text refusal: ${line}`);
      await pod.expectNoEntry('whose create was refused (no metadata.uid)');
    },
  },
  {
    id: 'bad-input-not-json',
    group: 'bad-input',
    checks:
      'POST /create with a body cut in the middle (not JSON) answers 4xx with a JSON Error body; the pod gets no status entry.',
    async run(ctx) {
      await refusedCreate(ctx, 'bad-input-not-json', 'a body that is not JSON', (payload) => {
        const text = JSON.stringify(payload);
        return text.slice(0, Math.floor(text.length / 2));
      });
    },
  },
  {
    id: 'bad-input-missing-uid',
    group: 'bad-input',
    checks:
      'POST /create of a pod without metadata.uid answers 4xx with a JSON Error body; nothing is created.',
    async run(ctx) {
      await refusedCreate(ctx, 'bad-input-missing-uid', 'a pod without metadata.uid', (payload) => {
        delete (payload.pod.metadata as { uid?: string }).uid;
        return JSON.stringify(payload);
      });
    },
  },
  {
    id: 'bad-input-wrong-type',
    group: 'bad-input',
    checks:
      'POST /create whose pod.spec.containers is one object instead of a list answers 4xx with a JSON Error ' +
      'body; nothing is created.',
    async run(ctx) {
      await refusedCreate(
        ctx,
        'bad-input-wrong-type',
        'spec.containers as an object, not a list',
        (payload) => {
          const spec = payload.pod.spec as unknown as Record<string, unknown>;
          spec.containers = (spec.containers as unknown[])[0];
          return JSON.stringify(payload);
        },
      );
    },
  },
];
