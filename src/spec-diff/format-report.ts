/** Renders findings as a readable report, one section per endpoint, or as JSON. */
import type { Finding, FindingKind } from './findings.ts';

export interface ReportInput {
  base: string;
  other: string;
  findings: Finding[];
}

const WIDTH = 110;
/** Paths longer than this do not widen the column; their text follows after two spaces. */
const MAX_PATH_COLUMN = 60;

/** How each kind is named in the summary line, in the order the summary lists them. */
const SUMMARY_LABEL: Record<FindingKind, string> = {
  'endpoint-removed': 'endpoints only in base',
  'endpoint-added': 'endpoints only in other',
  'method-changed': 'methods changed',
  'body-removed': 'request bodies only in base',
  'body-added': 'request bodies only in other',
  'body-required-changed': 'request body requiredness',
  'response-removed': 'responses only in base',
  'response-added': 'responses only in other',
  'media-changed': 'media types',
  renamed: 'renamed',
  removed: 'removed',
  added: 'added',
  'type-changed': 'type',
  'shape-changed': 'shape',
  'required-changed': 'requiredness',
  'nullable-changed': 'nullability',
  'same-as': 'same as elsewhere',
  unresolved: 'unresolved $ref',
};

function displayPath(path: string | undefined): string {
  return path ? path : '(body)';
}

/** The text after the path on one finding's line. */
function describe(f: Finding): string {
  switch (f.kind) {
    case 'renamed':
      return `renamed: ${f.from} -> ${f.to} (${f.detail})`;
    case 'added':
    case 'removed':
      return `${f.kind}: ${f.detail}`;
    case 'type-changed':
      return `type: ${f.from} -> ${f.to}`;
    case 'shape-changed':
      return `shape: ${f.from} -> ${f.to}`;
    case 'required-changed':
      return `requiredness: ${f.from} -> ${f.to}`;
    case 'nullable-changed':
      return `nullability: ${f.from} -> ${f.to}`;
    case 'media-changed':
      return `media type: ${f.from} -> ${f.to}`;
    case 'body-required-changed':
      return `request body ${f.from} -> ${f.to}`;
    case 'body-added':
      return 'request body only in other';
    case 'body-removed':
      return 'request body only in base';
    case 'same-as':
      return `same as elsewhere: ${f.detail}`;
    case 'unresolved':
      return `unresolved: ${f.detail}`;
    default:
      return f.kind;
  }
}

/** Words joined by `, ` and wrapped at the report width, continuation lines indented. */
function wrapList(head: string, items: string[], indent: string): string[] {
  const lines: string[] = [];
  let line = `${indent}${head} `;
  items.forEach((item, i) => {
    const piece = `${item}${i < items.length - 1 ? ',' : ''}`;
    if (line.length + piece.length + 1 > WIDTH && line.trim().length > head.length) {
      lines.push(line.trimEnd());
      line = `${indent}    `;
    }
    line += `${piece} `;
  });
  lines.push(line.trimEnd());
  return lines;
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

function renderPart(part: string, findings: Finding[]): string[] {
  const lines = [`  ${part}`];
  const fields = findings.filter((f) => f.kind !== 'nullable-changed');
  const column = Math.min(MAX_PATH_COLUMN, Math.max(0, ...fields.map((f) => displayPath(f.path).length)));
  for (const f of fields) lines.push(`    ${displayPath(f.path).padEnd(column)}  ${describe(f)}`);

  // Nullability differs almost everywhere between a Go-derived and a pydantic-derived spec: keep it short.
  const nullable = findings.filter((f) => f.kind === 'nullable-changed');
  const gained = nullable.filter((f) => f.to === 'nullable').map((f) => displayPath(f.path));
  const lost = nullable.filter((f) => f.to !== 'nullable').map((f) => displayPath(f.path));
  if (gained.length > 0)
    lines.push(...wrapList(`nullable only in other (${gained.length}):`, gained, '    '));
  if (lost.length > 0) lines.push(...wrapList(`nullable only in base (${lost.length}):`, lost, '    '));
  return lines;
}

function renderEndpoint(endpoint: string, findings: Finding[]): string[] {
  const lines = [endpoint];
  for (const f of findings.filter((x) => x.kind === 'method-changed')) {
    lines.push(`  method: ${f.from} in base, ${f.to} in other`);
  }
  const responsesGone = findings
    .filter((f) => f.kind === 'response-removed')
    .map((f) => f.part?.split(' ')[1]);
  const responsesNew = findings.filter((f) => f.kind === 'response-added').map((f) => f.part?.split(' ')[1]);
  const rest = findings.filter(
    (f) => !['method-changed', 'response-removed', 'response-added'].includes(f.kind),
  );
  for (const [part, partFindings] of groupBy(rest, (f) => f.part ?? ''))
    lines.push(...renderPart(part, partFindings));
  if (responsesGone.length > 0) lines.push(`  responses only in base: ${responsesGone.join(', ')}`);
  if (responsesNew.length > 0) lines.push(`  responses only in other: ${responsesNew.join(', ')}`);
  return lines;
}

function summary(findings: Finding[]): string {
  if (findings.length === 0) return 'No differences.';
  const parts: string[] = [];
  for (const [kind, label] of Object.entries(SUMMARY_LABEL)) {
    const n = findings.filter((f) => f.kind === kind).length;
    if (n > 0) parts.push(`${label} ${n}`);
  }
  return wrapList(`${findings.length} differences:`, parts, '').join('\n');
}

/** The human-readable report. */
export function formatText({ base, other, findings }: ReportInput): string {
  const lines = [
    `Spec drift  base: ${base}`,
    `           other: ${other}`,
    '"removed" = only in base, "added" = only in other; field paths use the base\'s names.',
    '',
  ];
  const onlyBase = findings.filter((f) => f.kind === 'endpoint-removed').map((f) => f.endpoint);
  const onlyOther = findings.filter((f) => f.kind === 'endpoint-added').map((f) => f.endpoint);
  if (onlyBase.length > 0) lines.push(...wrapList('Endpoints only in base:', onlyBase, ''));
  if (onlyOther.length > 0) lines.push(...wrapList('Endpoints only in other:', onlyOther, ''));
  if (onlyBase.length + onlyOther.length > 0) lines.push('');

  const perEndpoint = findings.filter((f) => f.kind !== 'endpoint-removed' && f.kind !== 'endpoint-added');
  for (const [endpoint, group] of groupBy(perEndpoint, (f) => f.endpoint)) {
    lines.push(...renderEndpoint(endpoint, group), '');
  }
  lines.push(summary(findings));
  return `${lines.join('\n')}\n`;
}

/** The findings as JSON, with both file names and per-kind counts. */
export function formatJson({ base, other, findings }: ReportInput): string {
  const counts: Partial<Record<FindingKind, number>> = {};
  for (const f of findings) counts[f.kind] = (counts[f.kind] ?? 0) + 1;
  return `${JSON.stringify({ base, other, differ: findings.length > 0, counts, findings }, null, 2)}\n`;
}
