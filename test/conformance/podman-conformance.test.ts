/**
 * The conformance kit against our sidecar running its pods on rootful Podman, through Podman's
 * Docker-compatible socket (scripts/ensure-podman.sh): every scenario must pass, as on Docker.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ALL_SCENARIOS, type ConformanceReport, runConformance } from '../../src/conformance/index.ts';
import { startPlugin, stopAll } from '../helpers/plugin-process.ts';
import { describePodman, PODMAN_ROOTFUL_HOST } from '../helpers/podman.ts';

/**
 * Not on Podman yet: the network helper (mesh or tunnel) is made with `--device /dev/net/tun`, which
 * the docker CLI refuses against Podman's socket ("unknown server OS": Podman's ping names no OS).
 */
const PODMAN_EXCLUSIONS: Record<string, string> = Object.fromEntries(
  ALL_SCENARIOS.filter((s) => s.group === 'tunnels').map((s) => [
    s.id,
    "the network helper's --device is refused by the docker CLI against Podman (unknown server OS)",
  ]),
);
const scenarios = ALL_SCENARIOS.filter((s) => PODMAN_EXCLUSIONS[s.id] === undefined).map(
  (s) => [s.id, s.checks] as const,
);

describePodman('the conformance kit against this sidecar on rootful Podman', () => {
  let report: ConformanceReport;
  beforeAll(async () => {
    const plugin = await startPlugin({ env: { DOCKER_HOST: PODMAN_ROOTFUL_HOST } });
    await plugin.waitForLog(/"msg":"engine","flavour":"podman"/);
    report = await runConformance({
      target: { baseUrl: plugin.baseUrl as string },
      skip: PODMAN_EXCLUSIONS,
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
