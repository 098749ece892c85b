/**
 * Deletes as interLink's next Virtual Kubelet sends them (branch 540, PR #556): /delete is called
 * synchronously and a failed or timed-out one is requeued with back-off, so one pod can get several
 * deletes at once and more after it is gone. Each must answer 200 once the pod is gone.
 */
import type { PodUnderTest } from '../pod-under-test.ts';
import type { Scenario } from '../scenario.ts';
import type { ScenarioContext } from '../scenario-context.ts';

/** Sends `count` deletes of the pod at once; each must answer 200. */
async function deleteAtOnce(
  ctx: ScenarioContext,
  pod: PodUnderTest,
  count: number,
  what: string,
): Promise<void> {
  ctx.setStep(`${count} concurrent POST /delete ${what}`);
  const body = JSON.stringify(pod.deleteBody());
  const answers = await Promise.all(
    Array.from({ length: count }, () => ctx.wire.send('POST', '/delete', body)),
  );
  for (const answer of answers) ctx.wire.expectOk('POST', '/delete', answer);
}

export const deleteRetryScenarios: Scenario[] = [
  {
    id: 'delete-retried',
    group: 'delete-retries',
    checks:
      'A running pod whose container ignores SIGTERM (grace period 2 s) gets three POST /delete at once, as ' +
      "interLink's retrying VK (PR #556) can send them: each answers 200; GET /status then gives no entry (or " +
      'only terminated containers); two more deletes of the gone pod answer 200.',
    async run(ctx) {
      const pod = ctx.shellPod('delete-retried', "trap '' TERM; while true; do sleep 1; done", {
        terminationGracePeriodSeconds: 2,
      });
      await pod.create();
      await pod.waitFor('Running');
      const started = Date.now();
      await deleteAtOnce(ctx, pod, 3, 'during the grace period');
      ctx.note(`three concurrent deletes answered within ${((Date.now() - started) / 1000).toFixed(1)} s`);
      await pod.expectGone();
      await pod.delete('POST /delete retried after the pod is gone');
      await pod.delete('second POST /delete retried after the pod is gone');
    },
  },
  {
    id: 'delete-unknown-retried',
    group: 'delete-retries',
    checks:
      'A pod the plugin never saw gets two POST /delete at once and a third after them: each answers 200 ' +
      '(never a 404 or 5xx: "not found" is what a delete wants), and GET /status for it gives no entry.',
    async run(ctx) {
      const pod = ctx.shellPod('delete-unknown-retried', 'echo never');
      await deleteAtOnce(ctx, pod, 2, 'of an unknown pod');
      await pod.delete('third POST /delete of an unknown pod');
      await pod.expectNoEntry('that was never created');
    },
  },
];
