/**
 * The conformance kit against our sidecar run as the test user on that user's rootless Podman
 * (scripts/ensure-podman.sh rootless). Every scenario passes but those the engine cannot pass on
 * this host (src/conformance/engine-exclusions.ts): on cgroup v1, the memory-limit scenarios, which
 * the kit reports as not run with the reason.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  ALL_SCENARIOS,
  type ConformanceReport,
  ENGINE_EXCLUSIONS,
  runConformance,
} from '../../src/conformance/index.ts';
import { NETWORK_HELPER_TEST_IMAGE } from '../fixtures/interlink-mesh.ts';
import { startPlugin, stopAll } from '../helpers/plugin-process.ts';
import { describeRootlessPodman, podman } from '../helpers/rootless-podman.ts';

// cgroup v2 has cgroup.controllers at its root; v1 does not (and delegates nothing to a user).
const cgroupV1 = !existsSync('/sys/fs/cgroup/cgroup.controllers');
const excluded: Record<string, string> = cgroupV1 ? { ...ENGINE_EXCLUSIONS['rootless-cgroup-v1'] } : {};
const scenarios = ALL_SCENARIOS.filter((s) => excluded[s.id] === undefined).map(
  (s) => [s.id, s.checks] as const,
);

describeRootlessPodman('the conformance kit against this sidecar on rootless Podman', () => {
  let report: ConformanceReport;
  beforeAll(async () => {
    const plugin = await startPlugin({
      runAs: podman(),
      readyTimeoutMs: 60_000,
      // The tunnel scenarios' commands run in the network helper: the local test image, no registry.
      env: { PLUGIN_NETWORK_HELPER_IMAGE: NETWORK_HELPER_TEST_IMAGE },
    });
    await plugin.waitForLog(/"msg":"engine","flavour":"podman".*"rootless":true/);
    report = await runConformance({
      target: { baseUrl: plugin.baseUrl as string },
      skip: excluded,
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

  it('reports each scenario rootless Podman cannot pass here as not run, with the reason', () => {
    expect(report.notSelected).toEqual(Object.entries(excluded).map(([id, why]) => ({ id, why })));
  });
});
