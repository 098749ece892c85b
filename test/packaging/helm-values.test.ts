/**
 * The Helm values example for interLink's chart: the config it mounts is the plugin.yaml beside
 * it, the plugin accepts that file, and the paths agree (socket, state dir at the same path).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/load-config.ts';

const HELM = resolve(import.meta.dirname, '..', '..', 'deploy', 'helm');
const values = parse(readFileSync(join(HELM, 'values.yaml'), 'utf8'));
const configPath = join(HELM, 'plugin.yaml');
/** The plugin's environment in the chart's pod: the values' envs, a Secret's value standing in as "from-secret". */
const chartEnv: Record<string, string> = Object.fromEntries(
  values.plugin.envs.map((e: { name: string; value?: string }) => [e.name, e.value ?? 'from-secret']),
);

describe("the Helm values example for interLink's chart", () => {
  it('mounts plugin.yaml as plugin.config, and the plugin accepts it', () => {
    expect(values.plugin.config).toBe(readFileSync(configPath, 'utf8'));
    const config = loadConfig(['--config', configPath], chartEnv);
    expect(config.configFile).toBe(configPath);
    expect(config.podSecurityLevel).toBe('baseline');
    expect(config.metricsListen).toEqual({ kind: 'tcp', host: '0.0.0.0', port: 9090 });
    // Scraped from the cluster's network: /metrics needs the token from the Secret.
    expect(config.metricsToken).toBe('from-secret');
    expect(() => loadConfig(['--config', configPath], {})).toThrow(/PLUGIN_METRICS_TOKEN/);
  });

  it('serves the socket the chart gives interLink, and mounts the state dir at the same path', () => {
    const config = loadConfig(['--config', configPath], chartEnv);
    expect(`unix://${config.listen.kind === 'unix' ? config.listen.path : ''}`).toBe(values.plugin.socket);
    const mount = values.plugin.extraVolumeMounts.find(
      (m: { mountPath: string }) => m.mountPath === config.stateDir,
    );
    expect(mount, 'a volume mounted at the state dir').toBeDefined();
    const volume = values.extraVolumes.find((v: { name: string }) => v.name === mount.name);
    expect(volume.hostPath.path).toBe(config.stateDir);
    expect(values.plugin.image).toMatch(/interlink-docker-plugin/);
  });
});
