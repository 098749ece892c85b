/** GET /status beyond the happy path: unknown pods, and plugins that do not read GET bodies. */
import type { Scenario } from '../scenario.ts';

export const statusScenarios: Scenario[] = [
  {
    id: 'status-unknown-pod',
    group: 'status',
    checks:
      'GET /status with a pod the plugin never created answers 200 with an empty array (the VK reads it as "no news").',
    async run(ctx) {
      const pod = ctx.shellPod('status-unknown', 'echo never');
      await pod.expectNoEntry('that was never created');
    },
  },
  {
    id: 'status-get-body',
    group: 'status',
    checks:
      'Right after create, GET /status with the pod in its body answers an array holding that pod, not the ' +
      "ping's PingResponse nor an error (a plugin or framework that drops GET bodies sees every /status as a " +
      'ping); GET /getLogs, also a GET with a body, returns the logs.',
    async run(ctx) {
      const pod = ctx.shellPod('status-get-body', 'echo get-body-ok; sleep 2');
      await pod.create();
      ctx.setStep('GET /status with the pod in the body');
      // statusOnce fails with the reason when the answer is a PingResponse or an error.
      await pod.statusOnce();
      await pod.waitFor();
      pod.expect({ phase: 'Succeeded', containers: { main: { exitCode: 0 } } });
      // A plugin that drops GET bodies cannot know which pod's logs are asked for.
      await pod.expectLogs('main', 'get-body-ok\n');
      await pod.teardown();
    },
  },
];
