/**
 * interLink 0.6.1's partial offload: containers named in `interlink.eu/disable-offload-containers` or
 * `interlink.eu/disable-offload-init-containers` run in the cluster. /create comes without them, /status
 * and /delete with the full pod: the plugin reports exactly what it runs and never counts the others as
 * gone (a vanished container would fail the pod).
 */
import { DISABLE_OFFLOAD_ANNOTATION } from '../../pod/partial-offload.ts';
import { show } from '../checks.ts';
import type { PodUnderTest } from '../pod-under-test.ts';
import { runToEnd, sh } from '../run-to-end.ts';
import type { Scenario } from '../scenario.ts';
import type { ScenarioContext } from '../scenario-context.ts';

/** The logs of a container the cluster runs: a 404 with the contract's Error body, not an empty 200. */
async function expectNotHere(ctx: ScenarioContext, pod: PodUnderTest, container: string): Promise<void> {
  const answer = await pod.logsAnswer(container);
  ctx.wire.expectClientError(answer, `the name of a container that runs in the cluster (${container})`, 404);
  ctx.note(`GET /getLogs of ${container} (in the cluster): 404 ${show(answer.text)}`);
}

export const partialOffloadScenarios: Scenario[] = [
  {
    id: 'partial-offload-main',
    group: 'partial-offload',
    checks:
      'A pod whose annotation keeps container "proxy" in the cluster: /create carries only "work" (echo), ' +
      '/status and /delete the full pod. The status lists only "work", the VK phase is Succeeded (not ' +
      'Failed by a "proxy" reported as gone), and GET /getLogs of "proxy" answers 404.',
    async run(ctx) {
      await runToEnd(
        ctx,
        {
          name: 'partial-offload-main',
          restartPolicy: 'Never',
          annotations: { [DISABLE_OFFLOAD_ANNOTATION.main]: 'proxy' },
          containers: [
            { name: 'work', command: sh('echo offloaded-work') },
            { name: 'proxy', command: sh('echo SHOULD-NOT-RUN-HERE; exit 9') },
          ],
        },
        {
          phase: 'Succeeded',
          containers: { work: { exitCode: 0 } },
          logs: { work: 'offloaded-work\n' },
          also: (pod) => expectNotHere(ctx, pod, 'proxy'),
        },
      );
    },
  },
  {
    id: 'partial-offload-init',
    group: 'partial-offload',
    checks:
      'A pod whose annotation keeps init container "fetch" (exit 3) in the cluster: /create carries init ' +
      'container "prepare" and main container "main" only. The status lists "prepare" alone among the init ' +
      'containers, both exit 0, the VK phase is Succeeded, and GET /getLogs of "fetch" answers 404.',
    async run(ctx) {
      await runToEnd(
        ctx,
        {
          name: 'partial-offload-init',
          restartPolicy: 'Never',
          annotations: { [DISABLE_OFFLOAD_ANNOTATION.init]: ' fetch ' },
          initContainers: [
            { name: 'fetch', command: sh('echo SHOULD-NOT-RUN-HERE; exit 3') },
            { name: 'prepare', command: sh('echo prepared') },
          ],
          containers: [{ name: 'main', command: sh('echo main-ran') }],
        },
        {
          phase: 'Succeeded',
          initContainers: { prepare: { exitCode: 0 } },
          containers: { main: { exitCode: 0 } },
          logs: { prepare: 'prepared\n', main: 'main-ran\n' },
          also: (pod) => expectNotHere(ctx, pod, 'fetch'),
        },
      );
    },
  },
];
