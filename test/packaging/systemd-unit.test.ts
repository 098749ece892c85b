/**
 * The systemd unit passes `systemd-analyze verify`, with its ExecStart pointed at this checkout's
 * command (the unit names where `npm install -g` puts it), and says what the README promises.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.ts';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const UNIT = join(REPO_ROOT, 'deploy', 'systemd', 'interlink-docker-plugin.service');
const run = promisify(execFile);
const unit = readFileSync(UNIT, 'utf8');

describe('the systemd unit', () => {
  it('needs Docker, restarts on failure, is sandboxed yet reaches the socket and its state dir', () => {
    expect(unit).toMatch(/^Requires=docker\.service$/m);
    expect(unit).toMatch(/^After=docker\.service/m);
    expect(unit).toMatch(/^Restart=on-failure$/m);
    expect(unit).toMatch(/^SupplementaryGroups=docker$/m);
    expect(unit).toMatch(/^StateDirectory=interlink-docker-plugin$/m);
    expect(unit).toMatch(/^ProtectSystem=strict$/m);
    expect(unit).toMatch(/^NoNewPrivileges=yes$/m);
    expect(unit).toMatch(/^ExecStart=\/usr\/local\/bin\/interlink-docker-plugin$/m);
  });

  it('comes with a config file the plugin accepts, serving a socket in its RuntimeDirectory', () => {
    const config = loadConfig(['--config', join(REPO_ROOT, 'deploy', 'systemd', 'plugin.yaml')], {});
    expect(unit).toMatch(/^RuntimeDirectory=interlink$/m);
    expect(config.listen).toEqual({ kind: 'unix', path: '/run/interlink/plugin.sock' });
    expect(config.stateDir).toBe('/var/lib/interlink-docker-plugin');
  });

  it('passes systemd-analyze verify', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'unit-verify-'));
    const command = join(REPO_ROOT, 'bin', 'interlink-docker-plugin.mjs');
    const copy = join(dir, 'interlink-docker-plugin.service');
    writeFileSync(copy, unit.replace('/usr/local/bin/interlink-docker-plugin', command));
    // A machine whose dockerd is not a systemd unit still has to resolve Requires=docker.service.
    const hasDockerUnit = ['/lib/systemd/system', '/usr/lib/systemd/system', '/etc/systemd/system'].some(
      (d) => existsSync(join(d, 'docker.service')),
    );
    if (!hasDockerUnit) writeFileSync(join(dir, 'docker.service'), '[Service]\nExecStart=/bin/true\n');
    const { stderr } = await run('systemd-analyze', ['verify', copy], {
      env: { ...process.env, SYSTEMD_UNIT_PATH: `${dir}:` },
    });
    expect(stderr.split('\n').filter((l) => l.includes('interlink-docker-plugin'))).toEqual([]);
  });
});
