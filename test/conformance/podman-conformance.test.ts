/**
 * The conformance kit against our sidecar running its pods on rootful Podman, through Podman's
 * Docker-compatible socket (scripts/ensure-podman.sh): every scenario must pass, as on Docker.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ALL_SCENARIOS, type ConformanceReport, runConformance } from '../../src/conformance/index.ts';
import { NETWORK_HELPER_TEST_IMAGE } from '../fixtures/interlink-mesh.ts';
import { startPlugin, stopAll } from '../helpers/plugin-process.ts';
import { describePodman, PODMAN_ROOTFUL_HOST } from '../helpers/podman.ts';

const scenarios = ALL_SCENARIOS.map((s) => [s.id, s.checks] as const);

describePodman('the conformance kit against this sidecar on rootful Podman', () => {
  let report: ConformanceReport;
  beforeAll(async () => {
    const plugin = await startPlugin({
      // The tunnel scenarios' commands run in the network helper: the local test image, no registry.
      env: { DOCKER_HOST: PODMAN_ROOTFUL_HOST, PLUGIN_NETWORK_HELPER_IMAGE: NETWORK_HELPER_TEST_IMAGE },
    });
    await plugin.waitForLog(/"msg":"engine","flavour":"podman"/);
    report = await runConformance({
      target: { baseUrl: plugin.baseUrl as string },
      parallel: 2,
      timeoutSeconds: 90,
    });
  }, 900_000);
  afterAll(stopAll);

  it.each(scenarios)('%s: %s', (id) => {
    const result = report.results.find((r) => r.id === id);
    expect(result, `scenario ${id} did not run`).toBeDefined();
    expect(result?.reason ?? '').toBe('');
    expect(result?.outcome).toBe('passed');
  });
});
