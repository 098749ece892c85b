/**
 * The conformance kit against our own sidecar, freshly started, over TCP and over a unix
 * socket: every scenario not listed in CI_EXCLUSIONS (with its reason) must pass.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALL_SCENARIOS,
  CI_EXCLUSIONS,
  type ConformanceReport,
  runConformance,
} from '../../src/conformance/index.ts';
import { parseTaints } from '../../src/pod/taints.ts';
import { NETWORK_HELPER_TEST_IMAGE } from '../fixtures/interlink-mesh.ts';
import { describeDocker } from '../helpers/docker.ts';
import { startPlugin, stopAll } from '../helpers/plugin-process.ts';

const included = ALL_SCENARIOS.filter((s) => CI_EXCLUSIONS[s.id] === undefined).map(
  (s) => [s.id, s.checks] as const,
);

describeDocker('the conformance kit against this sidecar', () => {
  afterAll(stopAll);

  describe.each(['tcp', 'unix'] as const)('over %s', (listen) => {
    let report: ConformanceReport;
    beforeAll(async () => {
      // Over TCP the plugin has taints, so the ping check sees both cases: none sent, and exactly those.
      const taints = listen === 'tcp' ? 'example.com/lab=on:NoSchedule' : undefined;
      const plugin = await startPlugin({
        listen,
        // The tunnel scenarios' commands run in the network helper: the local test image, no registry.
        env: { PLUGIN_NETWORK_HELPER_IMAGE: NETWORK_HELPER_TEST_IMAGE },
        ...(taints ? { args: ['--taints', taints] } : {}),
      });
      const target = plugin.socketPath
        ? { socketPath: plugin.socketPath }
        : { baseUrl: plugin.baseUrl as string };
      report = await runConformance({
        target,
        skip: CI_EXCLUSIONS,
        parallel: 2,
        timeoutSeconds: 90,
        ...(taints ? { taints: parseTaints(taints) } : {}),
      });
    }, 900_000);

    it.each(included)('%s: %s', (id) => {
      const result = report.results.find((r) => r.id === id);
      expect(result, `scenario ${id} did not run`).toBeDefined();
      expect(result?.reason ?? '').toBe('');
      expect(result?.outcome).toBe('passed');
    });

    it('lists every scenario it left out, with the reason', () => {
      expect(report.notSelected).toEqual(Object.entries(CI_EXCLUSIONS).map(([id, why]) => ({ id, why })));
    });
  });
});
