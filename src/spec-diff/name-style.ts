/**
 * Field names that differ only in case or word separators (`pod_uid`, `PodUID`, `podUid`) name the same
 * field in another style. Go's encoding/json matches keys case-insensitively, but never across `_`, so
 * such a rename is exactly the drift that breaks a plugin written to the published spec.
 */

export type NameStyle =
  | 'snake_case'
  | 'SCREAMING_SNAKE_CASE'
  | 'kebab-case'
  | 'camelCase'
  | 'PascalCase'
  | 'lowercase'
  | 'UPPERCASE'
  | 'mixed';

/** The spelling-free form of a name: lower case, without `_`, `-`, `.` or spaces. */
export function normalizeName(name: string): string {
  return name.replace(/[-_.\s]/g, '').toLowerCase();
}

/** True when `a` and `b` are spelled differently but normalise to the same name. */
export function isStyleRename(a: string, b: string): boolean {
  return a !== b && normalizeName(a) === normalizeName(b);
}

const STYLES: [NameStyle, RegExp][] = [
  ['snake_case', /^[a-z][a-z0-9]*(_[a-z0-9]+)+$/],
  ['SCREAMING_SNAKE_CASE', /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/],
  ['kebab-case', /^[a-z][a-z0-9]*(-[a-z0-9]+)+$/],
  ['lowercase', /^[a-z][a-z0-9]*$/],
  ['UPPERCASE', /^[A-Z][A-Z0-9]*$/],
  ['camelCase', /^[a-z][a-zA-Z0-9]*$/],
  ['PascalCase', /^[A-Z][a-zA-Z0-9]*$/],
];

/** The naming style of one name; `mixed` when it follows none of them (e.g. `Pod_UID`). */
export function nameStyle(name: string): NameStyle {
  return STYLES.find(([, pattern]) => pattern.test(name))?.[0] ?? 'mixed';
}

/** How a rename changed the spelling, for the report: `snake_case -> PascalCase`, or `case only`. */
export function describeRename(from: string, to: string): string {
  const a = nameStyle(from);
  const b = nameStyle(to);
  return a === b ? 'case only' : `${a} -> ${b}`;
}
