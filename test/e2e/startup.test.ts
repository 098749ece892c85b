import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { describeDocker } from '../helpers/docker.ts';
import { startPlugin, stopAll } from '../helpers/plugin-process.ts';

const root = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

/** Starts the plugin expecting it to refuse: its exit code and what it said. */
async function refusal(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stderr: string }> {
  try {
    await run(resolve(root, 'node_modules/.bin/tsx'), ['src/main.ts', '--listen', '127.0.0.1:0', ...args], {
      cwd: root,
      env: { ...process.env, ...env },
      timeout: 30_000,
    });
    return { code: 0, stderr: '' };
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

describe('start-up refusals say what to do', () => {
  it('names a bad setting', async () => {
    const { code, stderr } = await refusal(['--pod-capacity', 'lots']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/PLUGIN_POD_CAPACITY \(--pod-capacity\): "lots" is not a valid whole number/);
  });

  it('refuses taints Kubernetes would refuse, before serving anything', async () => {
    const { code, stderr } = await refusal(['--taints', 'gpu=yes:NoScheduel']);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /PLUGIN_TAINTS \(--taints\): gpu=yes:NoScheduel has effect NoScheduel: use NoSchedule/,
    );
  });

  it('exits non-zero when there is no docker CLI', async () => {
    const { code, stderr } = await refusal(['--docker', '/nonexistent/docker']);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /docker CLI "\/nonexistent\/docker" was not found: install Docker .* or set PLUGIN_DOCKER/,
    );
  });

  it('exits non-zero when the daemon does not answer', async () => {
    const { code, stderr } = await refusal([], { DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
    expect(code).toBe(1);
    expect(stderr).toMatch(/Docker daemon does not answer .*: start it .* or point DOCKER_HOST at one/);
  });
});

describeDocker('a start-up that fails after Docker answered', () => {
  it('exits on an address in use without leaving its docker events stream behind', async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const { port } = busy.address() as { port: number };
    const instance = `busy-${randomUUID().slice(0, 8)}`;
    try {
      const { code, stderr } = await refusal(['--listen', `127.0.0.1:${port}`, '--instance', instance]);
      expect(code).toBe(1);
      expect(stderr).toMatch(/could not listen on .*EADDRINUSE/);
    } finally {
      busy.close();
    }
    const { stdout } = await run('ps', ['-eo', 'args']);
    expect(stdout.split('\n').filter((l) => l.includes(`instance=${instance}`))).toEqual([]);
  });
});

describeDocker('a bearer token', () => {
  afterAll(stopAll);

  it('is required on every plugin endpoint but /healthz once configured', async () => {
    const plugin = await startPlugin({ args: ['--auth-token', 's3cret'] });
    const without = await plugin.request('GET', '/status', []);
    expect(without.status).toBe(401);
    expect(without.text).toMatch(/bearer token/);
    const wrong = await plugin.request('GET', '/status', [], { Authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
    const right = await plugin.request('GET', '/status', [], { Authorization: 'Bearer s3cret' });
    expect(right.status).toBe(200);
    expect((await plugin.request('GET', '/healthz')).status).toBe(200);
  });
});
