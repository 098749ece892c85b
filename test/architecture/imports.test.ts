/**
 * The rooms of src/ and which may import which (docs/architecture.md): Kubernetes rules in src/pod/
 * know nothing of Docker or HTTP; the conformance kit and the client stand on the contract, never
 * on our server or backend; inside src/docker/, only engine/ runs docker, translate/ only turns
 * decisions into argv, the view only reads; and no module imports itself back through others. The
 * import graph is read by dependency-cruiser, type-only imports included.
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
    // The pod decision (src/pod/pod-decision.ts) is complete before translation: translate/ reads it, never calls a rule.
    name: 'translation-reads-the-pod-decision-and-calls-no-pod-rule',
    severity: 'error',
    from: { path: '^src/docker/translate/' },
    to: { path: '^src/pod/', dependencyTypesNot: ['type-only'] },
  },
  {
    name: 'kit-and-client-stand-on-the-contract-not-on-our-server',
    severity: 'error',
    from: { path: '^src/(conformance|client)/' },
    to: { path: '^src/(http|docker)/' },
  },
  {
    // Docker is run by engine/ alone; the two host tools (nvidia-smi, mount) are run where they are read.
    name: 'only-the-engine-runs-docker',
    severity: 'error',
    from: { pathNot: '^src/docker/(engine/|gpu/gpu-inventory[.]ts$|volumes/host-mounts[.]ts$)' },
    to: { path: '^(node:)?child_process$', dependencyTypesNot: ['type-only'] },
  },
  {
    name: 'translate-turns-decisions-into-argv-without-docker-or-disk',
    severity: 'error',
    from: { path: '^src/docker/translate/' },
    to: { path: '^(src/docker/(engine|lifecycle|view)/|(node:)?(fs|fs/promises|child_process)$)' },
  },
  {
    name: 'the-view-only-reads-docker',
    severity: 'error',
    from: { path: '^src/docker/view/' },
    to: { path: '^src/docker/(lifecycle|containers|translate|volumes|network|gpu)/' },
  },
  {
    // host-info.ts asks src/pod/ which images need their USER known.
    name: 'the-engine-knows-no-pods',
    severity: 'error',
    from: { path: '^src/docker/engine/', pathNot: '^src/docker/engine/host-info[.]ts$' },
    to: { path: '^src/(pod|http)/|^src/docker/(?!engine/)' },
  },
  {
    name: 'docker-stays-below-http',
    severity: 'error',
    from: { path: '^src/docker/' },
    to: { path: '^src/http/' },
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
  it('follow the rules: pod free of docker and http, kit and client free of both, the docker rooms in their order, no loops', async () => {
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
        'src/docker/lifecycle/pull.ts':
          "import { spawn } from 'node:child_process';\nimport type { P } from '../../http/app.ts';\nexport const pull = spawn;\nexport type Q = P;\n",
        'src/docker/translate/args.ts':
          "import { readFileSync } from 'node:fs';\nimport { run } from '../engine/run.ts';\nimport { env } from '../../pod/env.ts';\nexport const args = [readFileSync, run, env];\n",
        'src/docker/view/status.ts':
          "import { pull } from '../lifecycle/pull.ts';\nexport const status = pull;\n",
        'src/docker/engine/run.ts': "import { env } from '../../pod/env.ts';\nexport const run = env;\n",
      };
      for (const [path, text] of Object.entries(files)) {
        await mkdir(dirname(join(dir, path)), { recursive: true });
        await writeFile(join(dir, path), text);
      }
      const { violations } = await readImports(dir);
      expect(violations.sort()).toEqual([
        'docker-stays-below-http: src/docker/lifecycle/pull.ts imports src/http/app.ts',
        'kit-and-client-stand-on-the-contract-not-on-our-server: src/client/client.ts imports src/http/app.ts',
        'no-import-loop: src/conformance/a.ts -> src/conformance/b.ts -> src/conformance/a.ts',
        'only-the-engine-runs-docker: src/docker/lifecycle/pull.ts imports child_process',
        'pod-rules-stay-independent-of-docker-and-http: src/pod/env.ts imports src/docker/cli.ts',
        'the-engine-knows-no-pods: src/docker/engine/run.ts imports src/pod/env.ts',
        'the-view-only-reads-docker: src/docker/view/status.ts imports src/docker/lifecycle/pull.ts',
        'translate-turns-decisions-into-argv-without-docker-or-disk: src/docker/translate/args.ts imports fs',
        'translate-turns-decisions-into-argv-without-docker-or-disk: src/docker/translate/args.ts imports src/docker/engine/run.ts',
        'translation-reads-the-pod-decision-and-calls-no-pod-rule: src/docker/translate/args.ts imports src/pod/env.ts',
      ]);
    });
  });
});
