/**
 * Run-time validation of request bodies against the same spec the types come from (Ajv, JSON
 * Schema 2020-12 as OpenAPI 3.1 uses), so what tsc checks and what the server accepts agree.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import * as addFormatsModule from 'ajv-formats';
import type { FieldProblem } from '../errors.ts';
import { PluginError } from '../errors.ts';

const SPEC_ID = 'plugin-openapi.json';
export const SPEC_URL = new URL('../../spec/plugin-openapi.json', import.meta.url);

// ajv-formats ships CommonJS; its default export arrives wrapped under NodeNext.
const addFormats = addFormatsModule.default as unknown as (ajv: Ajv2020) => void;

export type SchemaName = string;

/**
 * Ajv's cost of collecting every error grows with the square of their number (40 000 wrong items
 * took 20 s): every problem is listed only for bodies of at most this many JSON values (a real
 * pod has a few hundred), larger ones get the first problem found.
 */
export const ALL_ERRORS_MAX_VALUES = 5000;

/** At most this many problems are listed in a 422's details. */
export const MAX_DETAILS = 50;

type Mode = 'first' | 'all';

export class BodyValidator {
  private readonly spec: object;
  private readonly ajv = new Map<Mode, Ajv2020>();
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(spec: object = JSON.parse(readFileSync(SPEC_URL, 'utf8'))) {
    this.spec = spec;
  }

  private ajvFor(mode: Mode): Ajv2020 {
    let ajv = this.ajv.get(mode);
    if (!ajv) {
      ajv = new Ajv2020({ allErrors: mode === 'all', strict: false, validateFormats: true });
      addFormats(ajv);
      ajv.addSchema({ ...this.spec, $id: SPEC_ID });
      this.ajv.set(mode, ajv);
    }
    return ajv;
  }

  /** A validator for `#/components/schemas/<name>`, or for an array of them with `name[]`. */
  private validatorFor(name: SchemaName, mode: Mode): ValidateFunction {
    const key = `${mode} ${name}`;
    let fn = this.cache.get(key);
    if (!fn) {
      const ref = `${SPEC_ID}#/components/schemas/${name.replace(/\[\]$/, '')}`;
      const schema = name.endsWith('[]') ? { type: 'array', items: { $ref: ref } } : { $ref: ref };
      fn = this.ajvFor(mode).compile(schema);
      this.cache.set(key, fn);
    }
    return fn;
  }

  /** Problems of `value` against the named schema; empty when valid. */
  problems(name: SchemaName, value: unknown): FieldProblem[] {
    // Valid bodies (nearly all) pass the validator that stops at the first error.
    const first = this.validatorFor(name, 'first');
    if (first(value)) return [];
    if (!hasMoreValuesThan(value, ALL_ERRORS_MAX_VALUES)) {
      const all = this.validatorFor(name, 'all');
      all(value);
      return summarise(all.errors ?? []);
    }
    return summarise(first.errors ?? []);
  }

  /** Whether `value` matches, without collecting its problems (check() says what they are). */
  valid(name: SchemaName, value: unknown): boolean {
    return this.validatorFor(name, 'first')(value);
  }

  /** Throws a 422 naming each bad field when `value` does not match. */
  check<T>(name: SchemaName, value: unknown): T {
    const problems = this.problems(name, value);
    if (problems.length > 0) {
      const shown = problems
        .slice(0, 5)
        .map((p) => `${p.field || '(body)'} ${p.problem}`)
        .join('; ');
      throw new PluginError(
        'invalid',
        `invalid ${name.replace(/\[\]$/, ' list')}: ${shown}${problems.length > 5 ? '; …' : ''}`,
        { details: problems.slice(0, MAX_DETAILS) },
      );
    }
    return value as T;
  }
}

/** Whether `value` holds more than `max` JSON values, counted without walking further than that. */
function hasMoreValuesThan(value: unknown, max: number): boolean {
  let seen = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (++seen > max) return true;
    if (Array.isArray(v)) for (const x of v) stack.push(x);
    else if (v !== null && typeof v === 'object') for (const x of Object.values(v)) stack.push(x);
  }
  return false;
}

/**
 * Ajv reports every branch of a oneOf ("must be null" beside the real problem): keep the
 * errors that say what is wrong with the value as sent.
 */
function summarise(errors: ErrorObject[]): FieldProblem[] {
  const concrete = errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && !isNullBranch(e));
  const chosen = concrete.length > 0 ? concrete : errors;
  const seen = new Set<string>();
  const out: FieldProblem[] = [];
  // The branches of an anyOf of formats (an IPv4 or an IPv6 address) make one problem.
  const formats = new Map<string, FieldProblem>();
  for (const e of chosen) {
    if (e.keyword === 'format') {
      const words = describe(e);
      const earlier = formats.get(e.instancePath);
      if (earlier) earlier.problem += ` or ${words.replace(/^must be /, '')}`;
      else {
        const problem = { field: e.instancePath, problem: words };
        formats.set(e.instancePath, problem);
        out.push(problem);
      }
      continue;
    }
    const field =
      e.keyword === 'required'
        ? `${e.instancePath}/${(e.params as { missingProperty: string }).missingProperty}`
        : e.instancePath;
    const problem = e.keyword === 'required' ? 'is required' : describe(e);
    const key = `${field}\u0000${problem}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ field, problem });
    }
  }
  return out;
}

function isNullBranch(e: ErrorObject): boolean {
  return e.keyword === 'type' && (e.params as { type: unknown }).type === 'null';
}

/** Patterns of the spec that read better as a sentence than as a regular expression. */
const PATTERN_WORDS: Record<string, string> = {
  '^[^\\u0000]*$': 'must not contain a NUL byte (\\u0000): Linux cannot pass one to a process',
  '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$':
    "must be a DNS-1123 subdomain (lower-case letters, digits, '-' and '.'), as Kubernetes requires",
  '^[ -<>-~]+$':
    "must be printable ASCII without '=', as Kubernetes requires of an environment variable name",
};

const FORMAT_WORDS: Record<string, string> = {
  ipv4: 'an IPv4 address',
  ipv6: 'an IPv6 address',
  'date-time': 'an RFC 3339 date-time',
};

function describe(e: ErrorObject): string {
  if (e.keyword === 'enum')
    return `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  if (e.keyword === 'pattern') {
    const pattern = (e.params as { pattern: string }).pattern;
    return PATTERN_WORDS[pattern] ?? `must match ${pattern}`;
  }
  if (e.keyword === 'format') {
    const format = (e.params as { format: string }).format;
    return `must be ${FORMAT_WORDS[format] ?? `of format "${format}"`}`;
  }
  return e.message ?? `fails ${e.keyword}`;
}
