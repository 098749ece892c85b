/** Init containers: one after another, all before the main containers, and a failure stops the pod. */
import type { PodStatus } from '../../contract/api-types.ts';
import { fail, show } from '../checks.ts';
import type { PodUnderTest } from '../pod-under-test.ts';
import { runToEnd, sh } from '../run-to-end.ts';
import type { Scenario } from '../scenario.ts';

const WORK = { name: 'work', emptyDir: {} };
const WORK_MOUNT = { name: 'work', mountPath: '/work' };

/** When both timestamps are given, `later` must not start before `earlier` finished. */
function expectAfter(status: PodStatus, earlier: string, later: string): void {
  const all = [...status.initContainers, ...status.containers];
  const finished = all.find((c) => c.name === earlier)?.state.terminated?.finishedAt;
  const started = all.find((c) => c.name === later)?.state.terminated?.startedAt;
  if (finished && started && Date.parse(started) < Date.parse(finished)) {
    fail(
      `expected "${later}" to start after "${earlier}" finished (${finished}), but it started at ${started}`,
    );
  }
}

/** The container must never have run: its logs are empty or it never existed (404). */
async function expectNeverRan(pod: PodUnderTest, container: string, marker: string): Promise<void> {
  const answer = await pod.logsAnswer(container);
  if (answer.status === 404) return;
  if (answer.status !== 200) {
    fail(
      `expected GET /getLogs of never-started container "${container}" to answer 200 or 404, got ${answer.status}: ${show(answer.text)}`,
    );
  }
  if (answer.text.includes(marker)) {
    fail(
      `expected container "${container}" never to run after an init container failed, but its logs say ${show(answer.text)}`,
    );
  }
}

export const initContainerScenarios: Scenario[] = [
  {
    id: 'init-order',
    group: 'init-containers',
    checks:
      'Two init containers run one after the other, both before the main container: the first sleeps then ' +
      'writes a marker into a shared emptyDir, the second appends its own, main prints the file ' +
      '("init-first" then "init-second"). Init containers are listed in initContainers with exit 0, their ' +
      'logs are fetched by name, and given timestamps do not overlap.',
    async run(ctx) {
      await runToEnd(
        ctx,
        {
          name: 'init-order',
          volumes: [WORK],
          initContainers: [
            {
              name: 'init-first',
              command: sh('sleep 2; echo init-first >> /work/order; echo first-done'),
              volumeMounts: [WORK_MOUNT],
            },
            {
              name: 'init-second',
              command: sh('echo init-second >> /work/order; echo second-done'),
              volumeMounts: [WORK_MOUNT],
            },
          ],
          containers: [{ name: 'main', command: sh('cat /work/order'), volumeMounts: [WORK_MOUNT] }],
        },
        {
          phase: 'Succeeded',
          initContainers: { 'init-first': { exitCode: 0 }, 'init-second': { exitCode: 0 } },
          containers: { main: { exitCode: 0 } },
          logs: {
            'init-first': 'first-done\n',
            'init-second': 'second-done\n',
            main: 'init-first\ninit-second\n',
          },
          also: (pod) => {
            const status = pod.last as PodStatus;
            expectAfter(status, 'init-first', 'init-second');
            expectAfter(status, 'init-second', 'main');
          },
        },
      );
    },
  },
  {
    id: 'init-failure',
    group: 'init-containers',
    checks:
      'The first init container exits 7: the VK phase ends Failed with initContainers[0] exitCode 7, and ' +
      'neither the second init container nor main ever runs (their logs are empty or 404). To reach Failed ' +
      'the plugin must report the never-started containers as terminated, as the VK counts only terminated ones.',
    async run(ctx) {
      await runToEnd(
        ctx,
        {
          name: 'init-failure',
          initContainers: [
            { name: 'init-fails', command: sh('echo init-failing; exit 7') },
            { name: 'init-never', command: sh('echo SECOND-INIT-RAN') },
          ],
          containers: [{ name: 'main', command: sh('echo MAIN-RAN') }],
        },
        {
          phase: 'Failed',
          initContainers: { 'init-fails': { exitCode: 7 } },
          logs: { 'init-fails': 'init-failing\n' },
          also: async (pod) => {
            await expectNeverRan(pod, 'init-never', 'SECOND-INIT-RAN');
            await expectNeverRan(pod, 'main', 'MAIN-RAN');
          },
        },
      );
    },
  },
];
