/**
 * Field-by-field comparison of two schemas: object properties recursively (matched by exact name, then by
 * normalised name as a rename), array items, map values, and `oneOf`/`anyOf` branches paired by best
 * match. Named schema pairs are compared once: a cycle stops, a repeat points back to the first place.
 */
import type { Finding, FindingKind } from './findings.ts';
import { describeRename, normalizeName } from './name-style.ts';
import {
  isObject,
  type JsonObject,
  refName,
  type SchemaView,
  typeLabel,
  viewSchema,
} from './resolve-schema.ts';

/** Deeper than this, the walk stops: real specs nest a dozen levels at most. */
const MAX_DEPTH = 48;

/** State shared by every comparison between the same two documents. */
export interface SchemaComparison {
  base: JsonObject;
  other: JsonObject;
  findings: Finding[];
  /** Named schema pairs already compared: where, and how many findings that produced. */
  done: Map<string, { where: string; count: number }>;
  /** Named schema pairs being compared right now (a cycle when met again). */
  active: Set<string>;
}

export function newComparison(base: JsonObject, other: JsonObject): SchemaComparison {
  return { base, other, findings: [], done: new Map(), active: new Set() };
}

/** Where in the documents a comparison is: the endpoint and part the findings are filed under. */
export interface Place {
  endpoint: string;
  part: string;
}

function add(
  c: SchemaComparison,
  at: Place,
  path: string,
  kind: FindingKind,
  extra: Partial<Finding> = {},
): void {
  c.findings.push({ endpoint: at.endpoint, part: at.part, path, kind, ...extra });
}

function propertyPath(path: string, name: string): string {
  return /^[A-Za-z_$][\w$-]*$/.test(name) ? `${path}.${name}` : `${path}[${JSON.stringify(name)}]`;
}

/** `required string`, `optional object (Pod)`: what a field is, for added/removed lines. */
function fieldSummary(doc: JsonObject, schema: unknown, required: boolean): string {
  const view = viewSchema(doc, schema);
  const name = refName(view.ref);
  const type = typeLabel(doc, view) + (view.nullable ? '|null' : '');
  return `${required ? 'required' : 'optional'} ${type}${name ? ` (${name})` : ''}`;
}

/** What kind of object a view describes, for `shape-changed`. */
function objectShape(doc: JsonObject, view: SchemaView): string {
  if (view.properties.size > 0) {
    return `object with ${view.properties.size} ${view.properties.size === 1 ? 'property' : 'properties'}`;
  }
  if (isObject(view.additionalProperties)) {
    return `map of ${typeLabel(doc, viewSchema(doc, view.additionalProperties))}`;
  }
  return view.additionalProperties === false ? 'empty object' : 'free-form object';
}

/** How well two variant branches fit each other: 0 when they share no type. */
function branchFit(c: SchemaComparison, a: SchemaView, b: SchemaView): number {
  const sharesType = a.types.length === 0 || b.types.length === 0 || a.types.some((t) => b.types.includes(t));
  if (!sharesType) return 0;
  const names = new Set([...b.properties.keys()].map(normalizeName));
  let overlap = 0;
  for (const name of a.properties.keys()) if (names.has(normalizeName(name))) overlap++;
  const sameName = a.ref && refName(a.ref) === refName(b.ref) ? 1 : 0;
  return 1 + overlap + sameName + (typeLabel(c.base, a) === typeLabel(c.other, b) ? 1 : 0);
}

function compareVariants(
  c: SchemaComparison,
  at: Place,
  path: string,
  base: { raw: unknown; view: SchemaView },
  other: { raw: unknown; view: SchemaView },
  depth: number,
): void {
  const baseBranches = base.view.variants ?? [base.raw];
  const otherBranches = other.view.variants ?? [other.raw];
  const baseLabel = typeLabel(c.base, base.view);
  const otherLabel = typeLabel(c.other, other.view);
  const sorted = (label: string) => label.split(' | ').sort().join(' | ');
  if (sorted(baseLabel) !== sorted(otherLabel))
    add(c, at, path, 'type-changed', { from: baseLabel, to: otherLabel });

  const bViews = baseBranches.map((b) => viewSchema(c.base, b));
  const oViews = otherBranches.map((o) => viewSchema(c.other, o));
  const pairs: { score: number; b: number; o: number }[] = [];
  bViews.forEach((bv, b) => {
    oViews.forEach((ov, o) => {
      const score = branchFit(c, bv, ov);
      if (score > 0) pairs.push({ score, b, o });
    });
  });
  pairs.sort((x, y) => y.score - x.score || x.b - y.b || x.o - y.o);
  const usedB = new Set<number>();
  const usedO = new Set<number>();
  const both = baseBranches.length > 1 && otherBranches.length > 1;
  for (const { b, o } of pairs) {
    if (usedB.has(b) || usedO.has(o)) continue;
    usedB.add(b);
    usedO.add(o);
    const branchPath = both ? `${path}<variant ${b + 1}>` : path;
    compareSchemas(c, at, baseBranches[b], otherBranches[o], branchPath, depth + 1, { skipNullable: true });
  }
}

function compareObjects(
  c: SchemaComparison,
  at: Place,
  path: string,
  b: SchemaView,
  o: SchemaView,
  depth: number,
): void {
  const bShape = objectShape(c.base, b);
  const oShape = objectShape(c.other, o);
  const described = b.properties.size > 0 && o.properties.size > 0;
  const maps = isObject(b.additionalProperties) && isObject(o.additionalProperties);
  if (!described && bShape !== oShape && !(maps && b.properties.size === 0 && o.properties.size === 0)) {
    add(c, at, path, 'shape-changed', { from: bShape, to: oShape });
    return;
  }
  if (maps) compareSchemas(c, at, b.additionalProperties, o.additionalProperties, `${path}{}`, depth + 1);
  if (!described) return;

  const otherByName = new Map(o.properties);
  const pairs: [string, string][] = [];
  const removed: string[] = [];
  for (const name of b.properties.keys()) {
    if (otherByName.has(name)) {
      pairs.push([name, name]);
      otherByName.delete(name);
    }
  }
  for (const name of b.properties.keys()) {
    if (pairs.some(([bn]) => bn === name)) continue;
    const match = [...otherByName.keys()].find((on) => normalizeName(on) === normalizeName(name));
    if (match === undefined) removed.push(name);
    else {
      pairs.push([name, match]);
      otherByName.delete(match);
    }
  }

  // Report in the base's property order, then what only the other side has.
  for (const name of b.properties.keys()) {
    const fieldPath = propertyPath(path, name);
    if (removed.includes(name)) {
      add(c, at, fieldPath, 'removed', {
        detail: fieldSummary(c.base, b.properties.get(name), b.required.has(name)),
      });
      continue;
    }
    const otherName = pairs.find(([bn]) => bn === name)?.[1] ?? name;
    if (otherName !== name) {
      add(c, at, fieldPath, 'renamed', {
        from: name,
        to: otherName,
        detail: describeRename(name, otherName),
      });
    }
    const bReq = b.required.has(name);
    const oReq = o.required.has(otherName);
    if (bReq !== oReq) {
      add(c, at, fieldPath, 'required-changed', {
        from: bReq ? 'required' : 'optional',
        to: oReq ? 'required' : 'optional',
      });
    }
    compareSchemas(c, at, b.properties.get(name), o.properties.get(otherName), fieldPath, depth + 1);
  }
  for (const [name, schema] of otherByName) {
    add(c, at, propertyPath(path, name), 'added', {
      detail: fieldSummary(c.other, schema, o.required.has(name)),
    });
  }
}

/**
 * Compares `base` (a schema in `c.base`) with `other` (in `c.other`) at `path`, adding findings to `c`.
 * `skipNullable` is for branches whose null alternative was already compared by the caller.
 */
export function compareSchemas(
  c: SchemaComparison,
  at: Place,
  base: unknown,
  other: unknown,
  path: string,
  depth = 0,
  options: { skipNullable?: boolean } = {},
): void {
  if (depth > MAX_DEPTH) return;
  const b = viewSchema(c.base, base);
  const o = viewSchema(c.other, other);
  for (const problem of b.problems) add(c, at, path, 'unresolved', { detail: `base: ${problem}` });
  for (const problem of o.problems) add(c, at, path, 'unresolved', { detail: `other: ${problem}` });

  if (!options.skipNullable && b.nullable !== o.nullable) {
    add(c, at, path, 'nullable-changed', {
      from: b.nullable ? 'nullable' : 'not nullable',
      to: o.nullable ? 'nullable' : 'not nullable',
    });
  }
  if (b.variants || o.variants) {
    compareVariants(c, at, path, { raw: base, view: b }, { raw: other, view: o }, depth);
    return;
  }

  const bTypes = b.types.join('|') || 'any';
  const oTypes = o.types.join('|') || 'any';
  if (bTypes !== oTypes) add(c, at, path, 'type-changed', { from: bTypes, to: oTypes });
  const both = (type: string) => b.types.includes(type) && o.types.includes(type);
  if (!both('object') && !both('array')) return;

  // A pair of named schemas is walked once; later places point back to it, a cycle just stops.
  const key = b.ref && o.ref ? `${b.ref} ${o.ref}` : undefined;
  if (key) {
    if (c.active.has(key)) return;
    const seen = c.done.get(key);
    if (seen) {
      if (seen.count > 0) {
        add(c, at, path, 'same-as', {
          detail: `${refName(b.ref)} vs ${refName(o.ref)}, ${seen.count} ${seen.count === 1 ? 'difference' : 'differences'} listed at ${seen.where}`,
        });
      }
      return;
    }
    c.active.add(key);
  }
  const before = c.findings.length;
  if (both('object')) compareObjects(c, at, path, b, o, depth);
  if (both('array')) compareSchemas(c, at, b.items, o.items, `${path}[]`, depth + 1);
  if (key) {
    c.active.delete(key);
    c.done.set(key, {
      where: `${at.endpoint} ${at.part} ${path || '(body)'}`,
      count: c.findings.length - before,
    });
  }
}
