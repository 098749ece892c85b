import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runSpecDiff } from '../../src/spec-diff/cli.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/spec-diff/${name}`, import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));

async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runSpecDiff(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('spec:diff', () => {
  it('exits 1 and reports the renames, the type change and the missing endpoint between two specs', async () => {
    const { code, out } = await run('--base', fixture('wire-3.1.json'), fixture('sdk-3.0.json'));

    expect(code).toBe(1);
    expect(out).toContain('Endpoints only in base: GET /healthz');
    expect(out).toMatch(/\.PodUID +renamed: PodUID -> pod_uid \(PascalCase -> snake_case\)/);
    expect(out).toMatch(/\.ContainerName +renamed: ContainerName -> container_name/);
    expect(out).toMatch(/\.Opts +requiredness: optional -> required/);
    expect(out).toMatch(/\.Opts\.Tail +type: integer -> string/);
    // SinceTime is 3.1 ["string","null"] on one side and 3.0 nullable: true on the other: the same.
    expect(out).not.toContain('nullable only');
  });

  it('exits 0 for the same spec written once as OpenAPI 3.0 and once as 3.1', async () => {
    const { code, out } = await run('--base', fixture('wire-3.1.json'), fixture('wire-3.0.json'));

    expect(code).toBe(0);
    expect(out).toContain('No differences.');
  });

  it('prints the findings as JSON with --json', async () => {
    const { code, out } = await run('--json', '--base', fixture('wire-3.1.json'), fixture('sdk-3.0.json'));

    expect(code).toBe(1);
    const report = JSON.parse(out);
    expect(report.findings).toContainEqual({
      endpoint: 'GET /getLogs',
      part: 'request',
      path: '.PodUID',
      kind: 'renamed',
      from: 'PodUID',
      to: 'pod_uid',
      detail: 'PascalCase -> snake_case',
    });
  });

  const bad: [string, string[], RegExp][] = [
    ['no file is given', [], /expected exactly one OTHER.json, got 0/],
    ['two files are given', ['a.json', 'b.json'], /expected exactly one OTHER.json, got 2/],
    ['an option is unknown', ['--colour', fixture('sdk-3.0.json')], /Unknown option '--colour'/],
    ['the file does not exist', [fixture('missing.json')], /cannot read .*missing\.json: no such file/],
    [
      'the file is YAML, not JSON',
      [fixture('tiny-openapi.yaml')],
      /tiny-openapi\.yaml is not JSON \(only JSON specs are read\)/,
    ],
    [
      'the file is Swagger 2',
      [fixture('swagger-2.json')],
      /is not OpenAPI 3\.0 or 3\.1 \(found swagger 2\.0\)/,
    ],
    [
      'the base does not exist',
      ['--base', fixture('missing.json'), fixture('sdk-3.0.json')],
      /cannot read .*missing/,
    ],
  ];
  it.each(bad)('exits 2 with a clear message when %s', async (_name, argv, message) => {
    const { code, out, err } = await run(...argv);

    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(message);
  });

  it('compares against the project contract by default, as `npm run spec:diff -- FILE` does', async () => {
    const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

    const result = await promisify(execFile)(tsx, ['scripts/spec-diff.ts', fixture('sdk-3.0.json')], {
      cwd: root,
    }).catch((error: { code: number; stdout: string }) => error);

    expect('code' in result ? result.code : 0).toBe(1);
    expect(result.stdout).toContain('base: spec/plugin-openapi.json');
    // Endpoints the contract has and the small fixture lacks prove which base was read.
    expect(result.stdout).toMatch(/Endpoints only in base: POST \/create, POST \/delete, GET \/status/);
    expect(result.stdout).toMatch(/\.PodUID +renamed: PodUID -> pod_uid/);
  }, 20_000);
});
