/** `npm run spec:diff -- OTHER.json [--base FILE] [--json]`: exit 0 when the specs match, 1 when they differ, 2 on bad input. */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { compareSpecs } from './compare-specs.ts';
import { formatJson, formatText } from './format-report.ts';
import { loadSpec, SpecInputError } from './load-spec.ts';

export const DEFAULT_BASE = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../spec/plugin-openapi.json',
);

export const USAGE = `usage: npm run spec:diff -- OTHER.json [--base BASE.json] [--json]

Compares BASE (default: spec/plugin-openapi.json) with another OpenAPI 3.0/3.1 JSON file, endpoint by
endpoint and field by field. Exit status: 0 same, 1 different, 2 usage or file error.
  --base FILE   the spec to compare against (default: the project's contract)
  --json        print the findings as JSON instead of the report
  -h, --help    this text`;

export interface Output {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** Runs the command and returns its exit status. */
export async function runSpecDiff(argv: string[], io: Output): Promise<number> {
  let values: { base?: string; json?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        base: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    io.err(`spec:diff: ${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.out(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1) {
    io.err(`spec:diff: expected exactly one OTHER.json, got ${positionals.length}\n\n${USAGE}\n`);
    return 2;
  }
  const [otherFile = ''] = positionals;
  const baseFile = values.base ?? DEFAULT_BASE;
  try {
    const base = await loadSpec(baseFile);
    const other = await loadSpec(otherFile);
    const findings = compareSpecs(base, other);
    const report = { base: values.base ?? 'spec/plugin-openapi.json', other: otherFile, findings };
    io.out(values.json ? formatJson(report) : formatText(report));
    return findings.length > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof SpecInputError) {
      io.err(`spec:diff: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
