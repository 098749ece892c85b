/**
 * Every way of starting the plugin gives node the same flags as `npm start` (V8 optimised for
 * size: docs/performance.md, Memory): the installed command, the image, the README's command and
 * the benchmark.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { startNodeFlags } from '../../scripts/bench/sidecar.ts';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');
const run = promisify(execFile);

it('gives node the flags of npm start however the plugin is started', () => {
  const flags = startNodeFlags(REPO_ROOT);
  expect(flags).toContain('--optimize-for-size');
  expect(read('bin/interlink-docker-plugin.mjs').split('\n')[0]).toBe(
    `#!/usr/bin/env -S node ${flags.join(' ')}`,
  );
  expect(read('Dockerfile')).toContain(
    `ENTRYPOINT ["node", ${flags.map((f) => JSON.stringify(f)).join(', ')}, "/app/dist/src/main.mjs"]`,
  );
  expect(read('README.md').replace(/\s+/g, ' ')).toContain(`node ${flags.join(' ')} dist/src/main.mjs`);
});

it('runs the installed command with them', async () => {
  await run('node', ['scripts/build.mjs'], { cwd: REPO_ROOT });
  const { stdout } = await run(join(REPO_ROOT, 'bin/interlink-docker-plugin.mjs'), ['--version']);
  expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
});
