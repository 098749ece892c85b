/**
 * `npm run conformance -- --url http://HOST:PORT`: the conformance kit's command line. Everything it
 * does lives in src/conformance/; this file only parses, prints and sets the exit status.
 */
import { writeFileSync } from 'node:fs';
import { parseCli, USAGE, UsageError } from '../src/conformance/cli-options.ts';
import {
  ALL_SCENARIOS,
  formatList,
  formatProgress,
  formatTable,
  runConformance,
  SelectionError,
  toJson,
  toJunit,
} from '../src/conformance/index.ts';

async function main(): Promise<number> {
  const command = parseCli(process.argv.slice(2));
  if (command.kind === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (command.kind === 'list') {
    process.stdout.write(formatList(ALL_SCENARIOS, command.markdown));
    return 0;
  }
  const report = await runConformance({
    ...command.options,
    onResult: (result, done, total) => console.log(formatProgress(result, done, total)),
  });
  console.log(`\n${formatTable(report)}`);
  if (command.json) writeFileSync(command.json, toJson(report));
  if (command.junit) writeFileSync(command.junit, toJunit(report));
  return report.passed ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError || error instanceof SelectionError) {
      console.error(`conformance: ${error.message}\n\n${USAGE}`);
      process.exitCode = 2;
      return;
    }
    console.error(error);
    process.exitCode = 2;
  },
);
