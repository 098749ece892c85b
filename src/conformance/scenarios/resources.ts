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
  {
    id: 'exit-137-not-oom',
    group: 'resources',
    checks:
      'A container with a 32Mi memory limit that ends itself with exit code 137 (as a SIGKILL would) was not ' +
      'OOM-killed: terminated with reason Error and exitCode 137, never OOMKilled, and the VK phase ends Failed. ' +
      'The kubelet takes an OOM kill only from the kernel, never from an exit code.',
    async run(ctx) {
      await runToEnd(
        ctx,
        {
          name: 'exit-137',
          containers: [
            {
              name: 'main',
              resources: { limits: { memory: '32Mi' }, requests: { memory: '32Mi' } },
              command: sh('echo exiting; exit 137'),
            },
          ],
        },
        {
          phase: 'Failed',
          containers: { main: { exitCode: 137, reason: 'Error' } },
          logs: { main: 'exiting\n' },
        },
      );
    },
  },
];
