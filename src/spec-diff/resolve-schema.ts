/**
 * Reads one OpenAPI 3.0 or 3.1 schema into a flat view the comparison can walk: local `$ref`s followed,
 * `allOf` merged, nullability taken out of its three spellings (3.0 `nullable: true`, 3.1
 * `type: [X, "null"]`, and `oneOf`/`anyOf` with a `{type: "null"}` branch), and the remaining
 * `oneOf`/`anyOf` branches kept as variants.
 */

export type JsonObject = Record<string, unknown>;

export interface SchemaView {
  /** The named schema this view comes from (`#/components/schemas/Pod`), when there is one. */
  ref?: string;
  /** JSON types other than null, sorted; empty means any. */
  types: string[];
  nullable: boolean;
  properties: Map<string, unknown>;
  required: Set<string>;
  items?: unknown;
  /** A schema, `true`/`false`, or undefined when not said. */
  additionalProperties?: unknown;
  /** Two or more non-null `oneOf`/`anyOf` branches, as raw schemas. */
  variants?: unknown[];
  /** References that could not be followed. */
  problems: string[];
}

/** Chains of `$ref` or of `allOf` nesting longer than this are treated as a cycle. */
const MAX_NESTING = 32;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at a local reference (`#/components/schemas/Pod`), or undefined. */
export function resolvePointer(doc: JsonObject, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  let node: unknown = doc;
  for (const raw of ref.slice(1).split('/').slice(1)) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) node = node[Number(key)];
    else if (isObject(node)) node = node[key];
    else return undefined;
  }
  return node;
}

export interface Dereferenced {
  value: JsonObject;
  /** The last reference followed, if any. */
  ref?: string;
  problem?: string;
}

/**
 * Follows a chain of `$ref`s to an object. Keywords beside a `$ref` (allowed in 3.1) are laid over the
 * target, so a `description` or `nullable` next to the reference is kept.
 */
export function dereference(doc: JsonObject, value: unknown): Dereferenced {
  let current: JsonObject = isObject(value) ? value : {};
  let ref: string | undefined;
  const seen = new Set<string>();
  while (typeof current.$ref === 'string') {
    const { $ref, ...siblings } = current;
    if (seen.has($ref) || seen.size >= MAX_NESTING) {
      return { value: siblings, ref, problem: `$ref cycle at ${$ref}` };
    }
    seen.add($ref);
    const target = resolvePointer(doc, $ref);
    if (!isObject(target)) return { value: siblings, ref, problem: `cannot resolve $ref ${$ref}` };
    ref = $ref;
    current = { ...target, ...siblings };
  }
  return { value: current, ref };
}

function emptyView(): SchemaView {
  return { types: [], nullable: false, properties: new Map(), required: new Set(), problems: [] };
}

function typesFromValues(values: unknown[]): string[] {
  const types = new Set<string>();
  for (const v of values) {
    if (v === null) continue;
    if (Array.isArray(v)) types.add('array');
    else if (typeof v === 'number') types.add(Number.isInteger(v) ? 'integer' : 'number');
    else types.add(typeof v);
  }
  return [...types];
}

/** True for a branch that only allows null: `{type: "null"}`, `{enum: [null]}`, `{const: null}`. */
function isNullOnly(schema: JsonObject): boolean {
  if (schema.type === 'null') return true;
  if (Array.isArray(schema.type)) return schema.type.length > 0 && schema.type.every((t) => t === 'null');
  if ('const' in schema) return schema.const === null;
  return Array.isArray(schema.enum) && schema.enum.length > 0 && schema.enum.every((v) => v === null);
}

/** Lays `from` into `into` where `into` says nothing; types narrow to what both allow. */
function mergeView(into: SchemaView, from: SchemaView): void {
  if (into.types.length === 0) into.types = from.types;
  else if (from.types.length > 0) {
    const common = into.types.filter((t) => from.types.includes(t));
    if (common.length > 0) into.types = common;
  }
  for (const [name, schema] of from.properties)
    if (!into.properties.has(name)) into.properties.set(name, schema);
  for (const name of from.required) into.required.add(name);
  into.items ??= from.items;
  into.additionalProperties ??= from.additionalProperties;
  into.variants ??= from.variants;
  into.ref ??= from.ref;
  into.problems.push(...from.problems);
}

/**
 * The flat view of `schema` within `doc`. `within` holds the named schemas whose view is being built
 * (through allOf/oneOf), so a schema that includes itself stops instead of unfolding without end.
 */
export function viewSchema(
  doc: JsonObject,
  schema: unknown,
  nesting = 0,
  within: ReadonlySet<string> = new Set(),
): SchemaView {
  const view = emptyView();
  if (nesting > MAX_NESTING) {
    view.problems.push('schema nesting too deep');
    return view;
  }
  const { value: s, ref, problem } = dereference(doc, schema);
  if (ref) view.ref = ref;
  if (problem) view.problems.push(problem);
  if (ref && within.has(ref)) {
    view.problems.push(`$ref cycle through allOf/oneOf/anyOf at ${ref}`);
    return view;
  }
  const inner = ref ? new Set([...within, ref]) : within;

  const declared = Array.isArray(s.type) ? s.type : typeof s.type === 'string' ? [s.type] : [];
  view.types = declared.filter((t): t is string => typeof t === 'string' && t !== 'null').sort();
  view.nullable = s.nullable === true || declared.includes('null');
  if (Array.isArray(s.enum) && s.enum.includes(null)) view.nullable = true;
  if (declared.length === 0) {
    if (Array.isArray(s.enum)) view.types = typesFromValues(s.enum).sort();
    else if ('const' in s) view.types = typesFromValues([s.const]);
  }

  if (isObject(s.properties))
    for (const [name, child] of Object.entries(s.properties)) view.properties.set(name, child);
  if (Array.isArray(s.required))
    for (const name of s.required) if (typeof name === 'string') view.required.add(name);
  if ('items' in s) view.items = s.items;
  if ('additionalProperties' in s) view.additionalProperties = s.additionalProperties;

  if (Array.isArray(s.allOf) && s.allOf.length > 0) {
    const parts = s.allOf.map((part) => viewSchema(doc, part, nesting + 1, inner));
    // An intersection is nullable only if every part is, unless the schema itself says so (3.0 style).
    if (declared.length === 0 && parts.every((p) => p.nullable)) view.nullable = true;
    for (const part of parts) mergeView(view, part);
  }

  const branches = [...(Array.isArray(s.oneOf) ? s.oneOf : []), ...(Array.isArray(s.anyOf) ? s.anyOf : [])];
  if (branches.length > 0) {
    const nonNull: unknown[] = [];
    for (const branch of branches) {
      const resolved = dereference(doc, branch);
      if (isNullOnly(resolved.value)) view.nullable = true;
      else nonNull.push(branch);
    }
    const views = nonNull.map((branch) => viewSchema(doc, branch, nesting + 1, inner));
    if (views.some((v) => v.nullable)) view.nullable = true;
    if (views.length === 1 && views[0]) mergeView(view, views[0]);
    else if (views.length > 1) view.variants = nonNull;
  }

  if (view.types.length === 0 && !view.variants) {
    if (view.properties.size > 0 || isObject(view.additionalProperties)) view.types = ['object'];
    else if (view.items !== undefined) view.types = ['array'];
  }
  return view;
}

/** A short type label: `object`, `integer|string`, `any`, or `object | array` for variants. */
export function typeLabel(doc: JsonObject, view: SchemaView, nesting = 0): string {
  if (view.variants && nesting < 4) {
    return view.variants.map((v) => typeLabel(doc, viewSchema(doc, v), nesting + 1)).join(' | ');
  }
  return view.types.length > 0 ? view.types.join('|') : 'any';
}

/** The last segment of a reference, for messages: `#/components/schemas/Pod` → `Pod`. */
export function refName(ref: string | undefined): string | undefined {
  return ref?.split('/').pop();
}
