import { describe, expect, it } from 'vitest';
import { formatTable, toJunit } from '../../src/conformance/report.ts';
import type { ConformanceReport } from '../../src/conformance/run-conformance.ts';

const report: ConformanceReport = {
  target: 'http://127.0.0.1:4000',
  startedAt: '2026-11-22T12:00:00.000Z',
  finishedAt: '2026-11-22T12:00:05.000Z',
  seconds: 5,
  passed: false,
  results: [
    { id: 'ping', group: 'ping', checks: 'pings', outcome: 'passed', seconds: 0.1, notes: [] },
    {
      id: 'exit-code',
      group: 'lifecycle',
      checks: 'exit 3',
      outcome: 'failed',
      seconds: 4.2,
      reason: 'expected logs "<a & \u0001b>", got ""',
      notes: ['after delete: GET /status gave no entry'],
    },
  ],
  notSelected: [
    { id: 'quoting', why: 'left out by --skip' },
    { id: 'oom-killed', why: 'left out by --skip' },
  ],
};

describe('formatTable', () => {
  it('shows every reason in full and names what did not run', () => {
    const table = formatTable(report);
    expect(table).toContain('exit-code  FAIL        4.2  expected logs "<a & \u0001b>", got ""');
    expect(table).toContain('1 passed, 1 failed of 2 run, 5.0 s');
    expect(table).toContain('not run (left out by --skip): quoting, oom-killed');
  });
});

describe('toJunit', () => {
  it('escapes reasons, drops characters XML cannot hold, and marks scenarios not run as skipped', () => {
    const xml = toJunit(report);
    expect(xml).toContain(
      '<failure message="expected logs &quot;&lt;a &amp; b&gt;&quot;, got &quot;&quot;">',
    );
    expect(xml).toContain('<testcase classname="conformance.ping" name="ping" time="0.1"/>');
    expect(xml).toContain('<skipped message="left out by --skip"/>');
    expect(xml).toContain('tests="4" failures="1" skipped="2"');
  });
});
