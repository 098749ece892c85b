/** The basic life of a pod: exit codes, several containers, deleting running and unknown pods. */
import { fail } from '../checks.ts';
import { runToEnd, sh } from '../run-to-end.ts';
import type { Scenario } from '../scenario.ts';

export const lifecycleScenarios: Scenario[] = [
  {
    id: 'exit-zero',
    group: 'lifecycle',
    checks:
      'One container runs `echo` and exits 0: create answers a CreateStruct for the pod UID, every status ' +
      'answer is valid, the VK phase ends Succeeded with exitCode 0, the logs are exact; then delete, gone, delete again.',
    async run(ctx) {
      await runToEnd(
        ctx,
        { name: 'exit-zero', containers: [{ name: 'main', command: sh('echo hello-conformance') }] },
        { phase: 'Succeeded', containers: { main: { exitCode: 0 } }, logs: { main: 'hello-conformance\n' } },
      );
    },
  },
  {
    id: 'exit-code',
    group: 'lifecycle',
    checks:
      'One container exits 3: terminated.exitCode is 3 and the VK phase ends Failed; its logs are exact.',
    async run(ctx) {
      await runToEnd(
        ctx,
        { name: 'exit-code', containers: [{ name: 'main', command: sh('echo about-to-fail; exit 3') }] },
        { phase: 'Failed', containers: { main: { exitCode: 3 } }, logs: { main: 'about-to-fail\n' } },
      );
    },
  },
  {
    id: 'two-containers',
    group: 'lifecycle',
    checks:
      'Two containers, one exits 0 and one exits 3: both are listed with their own exit codes, the VK phase ' +
      'ends Failed, and the logs of each are its own.',
    async run(ctx) {
      await runToEnd(
        ctx,
        {
          name: 'two-containers',
          containers: [
            { name: 'good', command: sh('echo from-good') },
            { name: 'bad', command: sh('echo from-bad; exit 3') },
          ],
        },
        {
          phase: 'Failed',
          containers: { good: { exitCode: 0 }, bad: { exitCode: 3 } },
          logs: { good: 'from-good\n', bad: 'from-bad\n' },
        },
      );
    },
  },
  {
    id: 'delete-running',
    group: 'lifecycle',
    checks:
      'A pod that would run for an hour reaches Running; POST /delete answers 200; afterwards GET /status ' +
      'gives no entry (or only terminated containers); a second delete answers 200.',
    async run(ctx) {
      const pod = ctx.pod({
        name: 'delete-running',
        containers: [{ name: 'main', command: ['sleep', '3600'] }],
        terminationGracePeriodSeconds: 2,
      });
      await pod.create();
      await pod.waitFor('Running');
      if (pod.phase !== 'Running')
        fail(`expected the pod (sleep 3600) to reach VK phase Running, got ${pod.phase}`);
      const started = Date.now();
      await pod.delete();
      ctx.note(`delete of a running pod took ${((Date.now() - started) / 1000).toFixed(1)} s`);
      await pod.expectGone();
      await pod.delete('second POST /delete');
    },
  },
  {
    id: 'delete-unknown',
    group: 'lifecycle',
    checks:
      'POST /delete of a pod the plugin never saw answers 200, twice (deletes must be idempotent), and ' +
      'GET /status for it gives no entry.',
    async run(ctx) {
      const pod = ctx.shellPod('delete-unknown', 'echo never');
      await pod.delete('POST /delete of an unknown pod');
      await pod.delete('second POST /delete of an unknown pod');
      await pod.expectNoEntry('that was never created');
    },
  },
];
