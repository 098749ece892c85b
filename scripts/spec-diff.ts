/** CLI wrapper: see src/spec-diff/cli.ts. `npm run spec:diff -- OTHER.json [--base FILE] [--json]` */
import { runSpecDiff } from '../src/spec-diff/cli.ts';

process.exitCode = await runSpecDiff(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
