import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/spec-diff/findings.ts';
import { formatJson, formatText } from '../../src/spec-diff/format-report.ts';

const findings: Finding[] = [
  { endpoint: 'GET /healthz', kind: 'endpoint-removed' },
  {
    endpoint: 'POST /create',
    part: 'request',
    path: '',
    kind: 'type-changed',
    from: 'object | array',
    to: 'object',
  },
  {
    endpoint: 'POST /create',
    part: 'request',
    path: '.pod.spec.containers[].volumeMounts',
    kind: 'renamed',
    from: 'volumeMounts',
    to: 'volume_mounts',
    detail: 'camelCase -> snake_case',
  },
  {
    endpoint: 'POST /create',
    part: 'request',
    path: '.a',
    kind: 'nullable-changed',
    from: 'not nullable',
    to: 'nullable',
  },
  {
    endpoint: 'POST /create',
    part: 'request',
    path: '.b',
    kind: 'nullable-changed',
    from: 'not nullable',
    to: 'nullable',
  },
  { endpoint: 'POST /create', part: 'response 413', kind: 'response-removed' },
  {
    endpoint: 'GET /getLogs',
    part: 'request',
    path: '.Opts.Bytes',
    kind: 'removed',
    detail: 'optional integer',
  },
];

describe('formatText', () => {
  const report = formatText({ base: 'base.json', other: 'other.json', findings });

  it('gives each endpoint its own section with the fields under request or response', () => {
    expect(report).toContain(
      [
        'POST /create',
        '  request',
        '    (body)                               type: object | array -> object',
        '    .pod.spec.containers[].volumeMounts  renamed: volumeMounts -> volume_mounts (camelCase -> snake_case)',
      ].join('\n'),
    );
    expect(report).toContain('GET /getLogs\n  request\n    .Opts.Bytes  removed: optional integer');
  });

  it('lists endpoints and response statuses found on one side only in one line each', () => {
    expect(report).toContain('Endpoints only in base: GET /healthz');
    expect(report).toContain('  responses only in base: 413');
  });

  it('sums up nullability differences in one short line', () => {
    expect(report).toContain('    nullable only in other (2): .a, .b');
    expect(report).not.toContain('nullability: not nullable -> nullable');
  });

  it('ends with a count per kind of difference', () => {
    expect(report.trimEnd().split('\n\n').at(-1)?.replace(/\n +/g, ' ')).toBe(
      '7 differences: endpoints only in base 1, responses only in base 1, renamed 1, removed 1, type 1, nullability 2',
    );
  });

  it('says so when there is nothing to report', () => {
    expect(formatText({ base: 'a', other: 'b', findings: [] })).toContain('No differences.');
  });
});

describe('formatJson', () => {
  it('prints the findings with per-kind counts', () => {
    const parsed = JSON.parse(formatJson({ base: 'base.json', other: 'other.json', findings }));

    expect(parsed.differ).toBe(true);
    expect(parsed.counts).toMatchObject({ renamed: 1, 'nullable-changed': 2, 'endpoint-removed': 1 });
    expect(parsed.findings).toEqual(findings);
  });
});
