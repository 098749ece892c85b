/**
 * Every answer the kit gets is held against spec/plugin-openapi.json: the status must be one the
 * operation documents, a JSON answer must parse and match its schema (Ajv 2020, through the same
 * BodyValidator the plugin uses on requests). Failures read
 * `response does not match PodStatus: /0/containers/0/state must NOT have more than 1 properties`.
 */
import { readFileSync } from 'node:fs';
import { BodyValidator, SPEC_URL } from '../contract/validate-body.ts';
import { fail, show } from './checks.ts';

interface Operation {
  responses?: Record<string, ResponseObject | { $ref: string }>;
}
interface ResponseObject {
  content?: Record<string, { schema?: { $ref?: string } }>;
}
interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: { responses?: Record<string, ResponseObject> };
}

/** What the contract says an operation may answer with one status. */
export interface DocumentedAnswer {
  /** 'application/json' or 'text/plain'. */
  mediaType: string;
  /** Name in components.schemas, when the answer is JSON. */
  schema?: string;
}

const SCHEMA_REF = '#/components/schemas/';
const RESPONSE_REF = '#/components/responses/';

export class ResponseValidator {
  private readonly bodies: BodyValidator;
  private readonly spec: Spec;

  constructor(spec: Spec = JSON.parse(readFileSync(SPEC_URL, 'utf8')) as Spec) {
    this.spec = spec;
    this.bodies = new BodyValidator(spec);
  }

  /** Problems of `value` against a schema of components.schemas (or `Name[]`), as `field problem` lines. */
  problems(schema: string, value: unknown): string[] {
    return this.bodies.problems(schema, value).map((p) => `${p.field || '(body)'} ${p.problem}`);
  }

  /** Fails with every problem (up to 6) when `value` does not match `schema`. */
  expectSchema(schema: string, value: unknown, what = 'response'): void {
    const problems = this.problems(schema, value);
    if (problems.length === 0) return;
    const shown = problems.slice(0, 6).join('; ');
    fail(
      `${what} does not match ${schema.replace(/\[\]$/, '')}: ${shown}${problems.length > 6 ? '; …' : ''}`,
    );
  }

  /** The statuses the contract lists for an operation, e.g. [200, 413, 422, 500, 503]. */
  documentedStatuses(method: string, path: string): number[] {
    return Object.keys(this.operation(method, path).responses ?? {})
      .map(Number)
      .filter((n) => Number.isInteger(n));
  }

  /** What the contract says the operation answers with `status`; undefined when it does not list it. */
  documented(method: string, path: string, status: number): DocumentedAnswer | undefined {
    const found = this.operation(method, path).responses?.[String(status)];
    if (!found) return undefined;
    const response =
      '$ref' in found ? this.spec.components.responses?.[found.$ref.slice(RESPONSE_REF.length)] : found;
    const [mediaType, media] = Object.entries(response?.content ?? {})[0] ?? ['text/plain', {}];
    const ref = media.schema?.$ref;
    return { mediaType, ...(ref?.startsWith(SCHEMA_REF) ? { schema: ref.slice(SCHEMA_REF.length) } : {}) };
  }

  /**
   * Holds one answer against the contract: its status must be documented for the operation, and a JSON
   * answer must parse and match `schema` (default: the documented one). Returns the parsed body for JSON
   * answers, the text otherwise.
   */
  expectDocumented(
    method: string,
    path: string,
    answer: { status: number; text: string },
    schema?: string,
  ): unknown {
    const call = `${method} ${path}`;
    const doc = this.documented(method, path, answer.status);
    if (!doc) {
      fail(
        `${call} answered ${answer.status}, which the contract does not allow ` +
          `(documented: ${this.documentedStatuses(method, path).join(', ')}); body: ${show(answer.text)}`,
      );
    }
    if (doc.mediaType !== 'application/json') return answer.text;
    const value = parseJson(call, answer);
    const name = schema ?? doc.schema;
    if (name) this.expectSchema(name, value, `${call} ${answer.status} response`);
    return value;
  }

  private operation(method: string, path: string): Operation {
    const op = this.spec.paths[path]?.[method.toLowerCase()];
    if (!op) throw new Error(`the contract has no ${method} ${path}`);
    return op;
  }
}

/** The answer as JSON, or a failure that shows what came instead. */
export function parseJson(call: string, answer: { status: number; text: string }): unknown {
  try {
    return JSON.parse(answer.text);
  } catch {
    return fail(`${call} answered ${answer.status} with a body that is not JSON: ${show(answer.text)}`);
  }
}
