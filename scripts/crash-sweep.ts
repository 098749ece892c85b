/**
 * `npm run crash-sweep -- --cases 100 --seed 7`: kills the plugin (SIGKILL) at seeded crash
 * points of create, init sequencing and delete, restarts it, retries the call, and judges every
 * pod from Docker and the disk: whole or wholly gone. Prints one line per case and the count of
 * wrong states; exits 1 when there is any.
 */
import { parseArgs } from 'node:util';
import { allCrashCases, type CaseResult, runCrashCase } from '../test/helpers/crash-scenarios.ts';
import { stopAll } from '../test/helpers/plugin-process.ts';

const { values } = parseArgs({
  options: { cases: { type: 'string', default: '100' }, seed: { type: 'string', default: '1' } },
});
const count = Number(values.cases);
let state = Number(values.seed) >>> 0;
/** mulberry32: small, seeded, the same sequence on every machine. */
function random(): number {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const all = allCrashCases();
// Every point once per round, each round in a seeded order, until the count is reached.
const picked = [];
while (picked.length < count) {
  const round = [...all];
  for (let i = round.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [round[i], round[j]] = [round[j] as (typeof all)[number], round[i] as (typeof all)[number]];
  }
  picked.push(...round.slice(0, count - picked.length));
}

const started = Date.now();
const results: CaseResult[] = [];
let errors = 0;
for (const [i, crashCase] of picked.entries()) {
  const name = `${crashCase.op} ${crashCase.shape} @ ${crashCase.point}`;
  try {
    const result = await runCrashCase(crashCase);
    results.push(result);
    const what = (v: CaseResult['afterRestart']) => (v.kind === 'broken' ? `BROKEN (${v.why})` : v.kind);
    console.log(
      `${String(i + 1).padStart(3)} ${result.ok ? 'ok   ' : 'WRONG'} ${name}: after restart ${what(result.afterRestart)}, after retry ${what(result.afterRetry)}`,
    );
  } catch (err) {
    errors++;
    console.log(`${String(i + 1).padStart(3)} ERROR ${name}: ${(err as Error).message.split('\n')[0]}`);
  } finally {
    await stopAll().catch((err: Error) => console.log(`    cleanup: ${err.message}`));
  }
}
const wrong = results.filter((r) => !r.ok).length;
const restartedWhole = results.filter((r) => r.afterRestart.kind === 'whole').length;
const restartedGone = results.filter((r) => r.afterRestart.kind === 'gone').length;
console.log(
  `\n${picked.length} crash points (seed ${values.seed}, ${all.length} distinct): ${wrong} wrong states, ${errors} errors; ` +
    `after restart ${restartedWhole} whole, ${restartedGone} gone; ${Math.round((Date.now() - started) / 1000)} s`,
);
process.exit(wrong + errors > 0 ? 1 : 0);
