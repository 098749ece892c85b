/** `npm pack`, then `npx` of the tarball: the installed command starts the sidecar. */
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { LABEL } from '../../src/docker/labels.ts';
import { describeDocker, dockerRmByLabel } from '../helpers/docker.ts';
import { freePort, httpRequest } from '../helpers/plugin-process.ts';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const run = promisify(execFile);

describeDocker('the npm package', () => {
  const instance = `npx-${randomUUID().slice(0, 8)}`;
  const dir = mkdtempSync(join(tmpdir(), 'plugin-pack-'));
  afterAll(async () => {
    await dockerRmByLabel(`${LABEL.owner}=${instance}`);
    rmSync(dir, { recursive: true, force: true });
  });

  it('is packed with its bundle, and npx of the tarball starts the sidecar', async () => {
    await run('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: REPO_ROOT });
    const [tarball] = readdirSync(dir).filter((f) => f.endsWith('.tgz'));
    expect(tarball).toMatch(/^interlink-docker-plugin-\d+\.\d+\.\d+\.tgz$/);
    const { stdout: files } = await run('tar', ['tzf', join(dir, tarball as string)]);
    expect(files).toContain('package/dist/src/main.mjs');
    expect(files).toContain('package/spec/plugin-openapi.json');

    const port = await freePort();
    // Run from the tarball's directory, away from this checkout and its node_modules.
    const child = spawn(
      'npx',
      [
        '--yes',
        `./${tarball}`,
        '--listen',
        `127.0.0.1:${port}`,
        '--instance',
        instance,
        '--state-dir',
        join(dir, 'state'),
      ],
      {
        cwd: dir,
        env: { ...process.env, INTERLINKCONFIGPATH: '/dev/null' },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      },
    );
    let output = '';
    child.stdout.on('data', (b: Buffer) => {
      output += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      output += b.toString();
    });
    // npm exec forwards the signal to the plugin and dies of it itself: the plugin's output ends when both are gone.
    const ended = new Promise<void>((r) => child.stderr.on('end', () => r()));
    try {
      const deadline = Date.now() + 120_000;
      let status = 0;
      while (status !== 200 && Date.now() < deadline && child.exitCode === null) {
        status = await httpRequest({ baseUrl: `http://127.0.0.1:${port}` }, 'GET', '/healthz').then(
          (r) => r.status,
          () => 0,
        );
        if (status !== 200) await new Promise((r) => setTimeout(r, 250));
      }
      expect(status, output).toBe(200);
      // The log line travels through npm's pipes: it may arrive after the answer.
      for (let i = 0; i < 100 && !output.includes('serving the interLink plugin API'); i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(output).toContain('serving the interLink plugin API');
    } finally {
      process.kill(-(child.pid as number), 'SIGTERM');
    }
    await ended;
    // The plugin's graceful shutdown (exit 0) ends with this line.
    expect(output).toMatch(/"msg":"stopped"/);
  }, 180_000);
});
