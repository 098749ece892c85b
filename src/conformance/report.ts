/** The run's results for people (progress lines, a table), for tools (JSON, JUnit XML), and the scenario list. */
import type { ConformanceReport } from './run-conformance.ts';
import type { ScenarioResult } from './runner.ts';
import type { Scenario } from './scenario.ts';

const RESULT_WORD = { passed: 'PASS', failed: 'FAIL' } as const;

/** One line as a scenario finishes: `[ 3/29] FAIL exit-code 4.2 s: expected ...`. */
export function formatProgress(result: ScenarioResult, done: number, total: number): string {
  const width = String(total).length;
  const head = `[${String(done).padStart(width)}/${total}] ${RESULT_WORD[result.outcome]} ${result.id} ${result.seconds.toFixed(1)} s`;
  return result.reason ? `${head}: ${result.reason}` : head;
}

/** id | result | seconds | reason, every reason in full (long ones wrap in the terminal, never cut). */
export function formatTable(report: ConformanceReport): string {
  const rows = report.results.map((r) => [
    r.id,
    RESULT_WORD[r.outcome],
    r.seconds.toFixed(1),
    r.reason ?? '',
  ]);
  const header = ['id', 'result', 'seconds', 'reason'];
  const widths = [0, 1, 2].map((c) =>
    Math.max(header[c]?.length ?? 0, ...rows.map((r) => r[c]?.length ?? 0)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, c) =>
        c < 3 ? (c === 2 ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0)) : cell,
      )
      .join('  ')
      .trimEnd();
  const passed = report.results.filter((r) => r.outcome === 'passed').length;
  const out = [line(header), line(widths.map((w) => '-'.repeat(w)).concat('------')), ...rows.map(line), ''];
  out.push(
    `${passed} passed, ${report.results.length - passed} failed of ${report.results.length} run, ${report.seconds.toFixed(1)} s`,
  );
  const byWhy = new Map<string, string[]>();
  for (const n of report.notSelected) byWhy.set(n.why, [...(byWhy.get(n.why) ?? []), n.id]);
  for (const [why, ids] of byWhy) out.push(`not run (${why}): ${ids.join(', ')}`);
  return out.join('\n');
}

/** The machine-readable report (`--json FILE`). */
export function toJson(report: ConformanceReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

function xml(text: string): string {
  // Characters XML 1.0 cannot hold at all are dropped; the rest escaped.
  const allowed = text.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '');
  return allowed.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** JUnit XML (`--junit FILE`): one testcase per scenario; the ones not run are `skipped` with why. */
export function toJunit(report: ConformanceReport): string {
  const failures = report.results.filter((r) => r.outcome === 'failed').length;
  const cases = report.results.map((r) => {
    const open = `    <testcase classname="conformance.${xml(r.group)}" name="${xml(r.id)}" time="${r.seconds.toFixed(1)}"`;
    const notes = r.notes.length > 0 ? `\n      <system-out>${xml(r.notes.join('\n'))}</system-out>` : '';
    if (r.outcome === 'passed') return notes ? `${open}>${notes}\n    </testcase>` : `${open}/>`;
    return `${open}>\n      <failure message="${xml(r.reason ?? '')}">${xml(`${r.reason ?? ''}\n\nchecks: ${r.checks}`)}</failure>${notes}\n    </testcase>`;
  });
  const skipped = report.notSelected.map(
    (n) =>
      `    <testcase classname="conformance.not-run" name="${xml(n.id)}" time="0">\n      <skipped message="${xml(n.why)}"/>\n    </testcase>`,
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites tests="${report.results.length + skipped.length}" failures="${failures}" time="${report.seconds.toFixed(1)}">`,
    `  <testsuite name="interlink-plugin-conformance" tests="${report.results.length + skipped.length}" failures="${failures}" skipped="${skipped.length}" time="${report.seconds.toFixed(1)}" timestamp="${report.startedAt}">`,
    `    <properties><property name="target" value="${xml(report.target)}"/></properties>`,
    ...cases,
    ...skipped,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/** `--list`: every scenario id and what it checks; `markdown` gives the table of docs/conformance.md. */
export function formatList(scenarios: readonly Scenario[], markdown = false): string {
  if (markdown) {
    const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
    return [
      '| id | group | what it checks |',
      '| --- | --- | --- |',
      ...scenarios.map((s) => `| \`${s.id}\` | ${s.group} | ${cell(s.checks)} |`),
      '',
    ].join('\n');
  }
  const width = Math.max(...scenarios.map((s) => s.id.length));
  return `${scenarios.map((s) => `${s.id.padEnd(width)}  ${s.checks}`).join('\n')}\n`;
}
