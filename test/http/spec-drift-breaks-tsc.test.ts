import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { generate } from '../../scripts/generate.ts';

const root = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

/** Copies the sources beside types generated from `spec`, and type-checks them. */
async function typecheckAgainst(spec: object, dir: string): Promise<{ ok: boolean; output: string }> {
  await mkdir(join(dir, 'generated'), { recursive: true });
  await mkdir(join(dir, 'spec'), { recursive: true });
  await cp(join(root, 'src'), join(dir, 'src'), { recursive: true });
  await writeFile(join(dir, 'spec/plugin-openapi.json'), JSON.stringify(spec, null, 2));
  await writeFile(
    join(dir, 'generated/plugin-api.ts'),
    await generate(join(dir, 'spec/plugin-openapi.json')),
  );
  await symlink(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  const tsconfig = JSON.parse(await readFile(join(root, 'tsconfig.json'), 'utf8'));
  await writeFile(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ ...tsconfig, include: ['src', 'generated'], exclude: [] }),
  );
  try {
    await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', dir]);
    return { ok: true, output: '' };
  } catch (err) {
    return { ok: false, output: String((err as { stdout?: string }).stdout ?? err) };
  }
}

describe('a spec change breaks tsc instead of drifting silently', () => {
  const dirs: string[] = [];
  const scratch = async () => {
    const d = await mkdtemp(join(tmpdir(), 'drift-'));
    dirs.push(d);
    return d;
  };
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('compiles against the spec as it is', async () => {
    const spec = JSON.parse(await readFile(join(root, 'spec/plugin-openapi.json'), 'utf8'));
    const result = await typecheckAgainst(spec, await scratch());
    expect(result.output).toBe('');
    expect(result.ok).toBe(true);
  }, 120_000);

  it('fails at the handler that answers PodJID once the spec renames it', async () => {
    const spec = JSON.parse(await readFile(join(root, 'spec/plugin-openapi.json'), 'utf8'));
    const createStruct = spec.components.schemas.CreateStruct;
    createStruct.properties.PodJobID = createStruct.properties.PodJID;
    delete createStruct.properties.PodJID;
    createStruct.required = ['PodUID', 'PodJobID'];
    const result = await typecheckAgainst(spec, await scratch());
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/src\/docker\/docker-backend\.ts\(\d+,\d+\): error TS\d+:.*PodJID/);
  }, 120_000);
});
