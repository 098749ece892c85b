/**
 * The rooms of src/ and which may import which (docs/architecture.md): Kubernetes rules in src/pod/
 * know nothing of Docker or HTTP; the conformance kit and the client stand on the contract, never
 * on our server or backend; and no module imports itself back through others. The import graph is
 * read by dependency-cruiser, type-only imports included.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { cruise, type IForbiddenRuleType, type IModule } from 'dependency-cruiser';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '../..');

const RULES: IForbiddenRuleType[] = [
  {
    name: 'pod-rules-stay-independent-of-docker-and-http',
    severity: 'error',
    from: { path: '^src/pod/' },
    to: { path: '^src/(docker|http)/' },
  },
  {
    name: 'kit-and-client-stand-on-the-contract-not-on-our-server',
    severity: 'error',
    from: { path: '^src/(conformance|client)/' },
    to: { path: '^src/(http|docker)/' },
  },
  {
    name: 'no-import-loop',
    severity: 'error',
    from: { path: '^src/' },
    to: { circular: true },
  },
];

interface ImportReport {
  /** One line per broken rule, naming the files. */
  violations: string[];
  /** Relative imports that did not resolve to a file (they would hide an edge from the rules). */
  unresolved: string[];
  /** Imports between files of src/. */
  localImports: number;
}

async function readImports(baseDir: string): Promise<ImportReport> {
  const { output } = await cruise(
    ['src'],
    {
      baseDir,
      tsPreCompilationDeps: true,
      doNotFollow: { path: 'node_modules' },
      validate: true,
      ruleSet: { forbidden: RULES },
    },
    { extensions: ['.ts'] },
  );
  if (typeof output === 'string') throw new Error('dependency-cruiser gave text, not a cruise result');
  const local = output.modules.filter((m: IModule) => m.source.startsWith('src/'));
  const deps = local.flatMap((m) => m.dependencies.map((d) => ({ from: m.source, ...d })));
  return {
    violations: output.summary.violations.map((v) =>
      v.cycle
        ? `${v.rule.name}: ${[v.from, ...v.cycle.map((c) => c.name)].join(' -> ')}`
        : `${v.rule.name}: ${v.from} imports ${v.to}`,
    ),
    unresolved: deps
      .filter((d) => d.couldNotResolve && d.module.startsWith('.'))
      .map((d) => `${d.from} imports ${d.module}`),
    localImports: deps.filter((d) => d.resolved.startsWith('src/')).length,
  };
}

describe('imports between the rooms of src/', () => {
  it('follow the rules: pod free of docker and http, kit and client free of both, no loops', async () => {
    const report = await readImports(REPO);
    expect(report.unresolved, 'imports the graph could not follow').toEqual([]);
    // A graph without edges would pass every rule: make sure it was read.
    expect(report.localImports).toBeGreaterThan(100);
    expect(report.violations, 'imports that break the rules of docs/architecture.md').toEqual([]);
  });

  describe('on a small tree that breaks every rule', () => {
    let dir = '';
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('names the offending files', async () => {
      dir = await mkdtemp(join(tmpdir(), 'imports-test-'));
      const files: Record<string, string> = {
        'src/pod/env.ts': "import { run } from '../docker/cli.ts';\nexport const env = run;\n",
        'src/docker/cli.ts': 'export const run = 1;\n',
        'src/client/client.ts': "import type { App } from '../http/app.ts';\nexport type C = App;\n",
        'src/http/app.ts': 'export type App = string;\n',
        'src/conformance/a.ts': "import { b } from './b.ts';\nexport const a = b;\n",
        'src/conformance/b.ts':
          "import type { a } from './a.ts';\nexport const b = 2 as unknown as typeof a;\n",
      };
      for (const [path, text] of Object.entries(files)) {
        await mkdir(dirname(join(dir, path)), { recursive: true });
        await writeFile(join(dir, path), text);
      }
      const { violations } = await readImports(dir);
      expect(violations.sort()).toEqual([
        'kit-and-client-stand-on-the-contract-not-on-our-server: src/client/client.ts imports src/http/app.ts',
        'no-import-loop: src/conformance/a.ts -> src/conformance/b.ts -> src/conformance/a.ts',
        'pod-rules-stay-independent-of-docker-and-http: src/pod/env.ts imports src/docker/cli.ts',
      ]);
    });
  });
});
