/**
 * The README's "Try it by hand" commands, run as written (curl, argv without a shell) against a
 * started plugin, so that what a newcomer pastes works and answers what the README says it does.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { describeDocker, runDocker } from '../helpers/docker.ts';
import { usePlugin } from '../helpers/use-plugin.ts';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const README_URL = 'http://127.0.0.1:4000';

/** The shell block of the README's "Try it by hand" section, one command a line. */
function byHandCommands(): string[] {
  const readme = readFileSync(resolve(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.split('\n## Try it by hand\n')[1]?.split('\n## ')[0] ?? '';
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block.split('\n').filter((l) => l.trim() !== '');
}

/** Splits a command line into words: plain words and single-quoted strings, which is all the block uses. */
function words(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
}

describeDocker("the README's Try it by hand", () => {
  const plugin = usePlugin();

  it('pings, creates the example pod, shows it completed with its logs, and deletes it, with curl', async () => {
    const [cd, ...curls] = byHandCommands();
    const [cdWord, dir] = words(cd ?? '');
    expect(cdWord).toBe('cd');
    const cwd = resolve(REPO_ROOT, dir ?? '');
    // Each curl line by the body it sends (`-d ...`), in the order the README gives them.
    const byBody = new Map(curls.map((l) => [words(l)[words(l).indexOf('-d') + 1], words(l)]));
    expect([...byBody.keys()]).toEqual([
      '[]',
      '@hello-create.json',
      '@hello-status-request.json',
      '@hello-logs-request.json',
      '@hello-delete.json',
    ]);
    const run = async (body: string) => {
      const argv = byBody.get(body) ?? [];
      expect(argv[0]).toBe('curl');
      const args = argv.slice(1).map((w) => w.replace(README_URL, plugin.baseUrl as string));
      return (await promisify(execFile)('curl', args, { cwd })).stdout;
    };

    expect(JSON.parse(await run('[]')).resources).toMatchObject({ pods: '110' });

    const created = JSON.parse(await run('@hello-create.json'));
    expect(created.PodJID).toMatch(/^k8s_default_example-hello-.*_33fe1e0e$/);

    // The README says "once the container has run": poll the same command until it has.
    let status = '';
    for (let i = 0; i < 600 && !status.includes('"reason":"Completed"'); i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 100));
      status = await run('@hello-status-request.json');
    }
    expect(status).toContain('"reason":"Completed"');
    expect(status).toContain('"exitCode":0');

    expect(await run('@hello-logs-request.json')).toBe('hello from example\n');

    expect(await run('@hello-delete.json')).toMatch(/^pod default\/example-hello-\S+ deleted/);
    const left = await runDocker(['ps', '-aq', '--filter', `name=${created.PodJID}`]);
    expect(left.stdout.trim()).toBe('');
    expect(await run('@hello-status-request.json')).toContain('"reason":"ContainerStatusUnknown"');
  });
});
