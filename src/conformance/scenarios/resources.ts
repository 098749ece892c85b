/** Resource limits as Kubernetes enforces them. */
import { runToEnd, sh } from '../run-to-end.ts';
import type { Scenario } from '../scenario.ts';

export const resourceScenarios: Scenario[] = [
  {
    id: 'oom-killed',
    group: 'resources',
    checks:
      'A container with a 16Mi memory limit whose main process allocates 64 MiB is killed: terminated with ' +
      'reason OOMKilled and exitCode 137, and the VK phase ends Failed.',
    async run(ctx) {
      await runToEnd(
        ctx,
        {
          name: 'oom-killed',
          containers: [
            {
              name: 'main',
              resources: { limits: { memory: '16Mi' }, requests: { memory: '16Mi' } },
              // exec: the allocating process must be the container's main process, as in a real OOM kill.
              command: sh('echo allocating; exec dd if=/dev/zero of=/dev/null bs=64M count=1'),
            },
          ],
        },
        {
          phase: 'Failed',
          containers: { main: { exitCode: 137, reason: 'OOMKilled' } },
          logs: { main: 'allocating\n' },
        },
      );
    },
  },
];
