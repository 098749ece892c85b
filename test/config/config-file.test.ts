import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.ts';
import { fileKey, SETTINGS } from '../../src/config/settings.ts';

const dir = mkdtempSync(join(tmpdir(), 'deploy-obs-config-'));
let n = 0;
/** Writes a config file and returns its path. */
function configFile(yaml: string): string {
  const path = join(dir, `plugin-${n++}.yaml`);
  writeFileSync(path, yaml);
  return path;
}

describe('the config file', () => {
  it('sets our settings under their own names, below the environment and the flags', () => {
    const path = configFile(
      'podCapacity: 12\ninstance: from-file\nallowedHostPaths: [/data, /scratch]\npodSecurityLevel: restricted\nsocketMode: "0600"\n',
    );
    const fromFile = loadConfig(['--config', path], {});
    expect(fromFile).toMatchObject({
      configFile: path,
      podCapacity: 12,
      instance: 'from-file',
      allowedHostPaths: ['/data', '/scratch'],
      podSecurityLevel: 'restricted',
      socketMode: 0o600,
    });
    expect(loadConfig(['--config', path], { PLUGIN_POD_CAPACITY: '20' }).podCapacity).toBe(20);
    expect(
      loadConfig(['--config', path, '--pod-capacity', '30'], { PLUGIN_POD_CAPACITY: '20' }).podCapacity,
    ).toBe(30);
  });

  it('takes GPU indexes as a YAML list of numbers, and UUIDs as strings', () => {
    const path = configFile('gpuDevices: [0, 2, "GPU-8f6c2a1e-1b2c"]\ngpuMode: env\n');
    expect(loadConfig(['--config', path], {})).toMatchObject({
      gpuDevices: ['0', '2', 'GPU-8f6c2a1e-1b2c'],
      gpuMode: 'env',
    });
  });

  it("takes interLink's plugin keys", () => {
    const socket = configFile(
      'Socket: unix:///run/interlink/plugin.sock\nDataRootFolder: /data/interlink/\nVerboseLogging: true\nErrorsOnlyLogging: false\n',
    );
    expect(loadConfig(['--config', socket], {})).toMatchObject({
      listen: { kind: 'unix', path: '/run/interlink/plugin.sock' },
      stateDir: '/data/interlink',
      logLevel: 'debug',
    });
    const port = configFile('SidecarPort: "4001"\nErrorsOnlyLogging: true\n');
    expect(loadConfig(['--config', port], {})).toMatchObject({
      listen: { kind: 'tcp', host: '127.0.0.1', port: 4001 },
      logLevel: 'error',
    });
  });

  it('is found through INTERLINKCONFIGPATH, and --config wins over it', () => {
    const a = configFile('podCapacity: 1\n');
    const b = configFile('podCapacity: 2\n');
    expect(loadConfig([], { INTERLINKCONFIGPATH: a }).podCapacity).toBe(1);
    expect(loadConfig(['--config', b], { INTERLINKCONFIGPATH: a }).podCapacity).toBe(2);
  });

  it('takes the telemetry settings under their names, interLink variables over them', () => {
    const path = configFile('enableTracing: true\ntelemetryEndpoint: tempo:4317\n');
    expect(loadConfig(['--config', path], {}).tracing).toMatchObject({
      enabled: true,
      endpoint: 'tempo:4317',
    });
    expect(loadConfig(['--config', path], { ENABLE_TRACING: '0' }).tracing.enabled).toBe(false);
  });

  it.each([
    [
      'an unknown key',
      'podCapacty: 3\n',
      /key podCapacty is not a setting of this plugin; allowed keys: Socket, .*podCapacity/,
    ],
    [
      'a removed key',
      'allowPrivileged: false\n',
      /key allowPrivileged was removed: PLUGIN_POD_SECURITY_LEVEL \(--pod-security-level, file key podSecurityLevel\) replaces it/,
    ],
    ['another removed key', 'allowAddedCapabilities: true\n', /key allowAddedCapabilities was removed/],
    ['a wrong type', 'podCapacity: "many"\n', /key podCapacity: "many" is not a whole number/],
    ['a list for a single value', 'instance: [a, b]\n', /key instance: a list is not a string/],
    ['a bad value', 'podCapacity: -1\n', /key podCapacity: "-1" is not a valid whole number >= 1/],
    ['an unquoted mode', 'socketMode: 0660\n', /key socketMode: 660 is not a quoted octal mode/],
    ['a bad interLink key', 'SidecarPort: http\n', /key SidecarPort: "http" is not a TCP port/],
    [
      'two keys for one setting',
      'Socket: unix:///a.sock\nlisten: 127.0.0.1:1\n',
      /keys Socket and listen both set listen/,
    ],
    ['a bad log level', 'logLevel: loud\n', /key logLevel: "loud" is not debug, info, warn or error/],
    ['not a mapping', '- a\n- b\n', /must be a mapping of keys to values, not a list/],
    ['broken YAML', 'podCapacity: [1,\n', /is not valid YAML/],
  ])('refuses %s with a sentence naming the file and the key', (_name, yaml, message) => {
    const path = configFile(yaml);
    expect(() => loadConfig(['--config', path], {})).toThrow(message);
    expect(() => loadConfig(['--config', path], {})).toThrow(`config file ${path}`);
  });

  it('refuses a config file that is not there, naming it', () => {
    expect(() => loadConfig(['--config', '/nonexistent/plugin.yaml'], {})).toThrow(
      /config file \/nonexistent\/plugin.yaml cannot be read/,
    );
  });
});

describe('--help and --version', () => {
  const main = resolve(import.meta.dirname, '..', '..', 'src', 'main.ts');
  const tsx = resolve(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'tsx');
  const run = (flag: string) =>
    execFileSync(tsx, [main, flag], { encoding: 'utf8', env: { PATH: process.env.PATH } });

  it('--help names every setting with its variable, file key and default', () => {
    const help = run('--help');
    for (const s of Object.values(SETTINGS)) {
      expect(help).toContain(`--${s.flag} VALUE`);
      expect(help).toContain(
        `env ${s.env}, file key ${fileKey(s)}, default ${s.default === '' ? '(empty)' : s.default}`,
      );
    }
    expect(help).toContain('INTERLINKCONFIGPATH');
  });

  it('--version prints the package version', () => {
    expect(run('--version').trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
