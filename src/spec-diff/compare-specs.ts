/**
 * Endpoint-by-endpoint comparison of two OpenAPI documents: which path + method pairs exist on each side,
 * then per operation the request body and each response status, down to their schemas.
 */
import { compareSchemas, newComparison, type Place, type SchemaComparison } from './compare-schemas.ts';
import type { Finding } from './findings.ts';
import { dereference, isObject, type JsonObject } from './resolve-schema.ts';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** `/pods/{uid}` and `/pods/{id}` are the same route. */
function routeKey(path: string): string {
  return path.replace(/\{[^}]*\}/g, '{}');
}

function methodsOf(item: JsonObject): string[] {
  return METHODS.filter((m) => isObject(item[m]));
}

function routes(doc: JsonObject): Map<string, { path: string; item: JsonObject }> {
  const out = new Map<string, { path: string; item: JsonObject }>();
  const paths = isObject(doc.paths) ? doc.paths : {};
  for (const [path, raw] of Object.entries(paths)) {
    out.set(routeKey(path), { path, item: dereference(doc, raw).value });
  }
  return out;
}

function contentOf(doc: JsonObject, holder: JsonObject): Map<string, unknown> {
  const content = isObject(holder.content) ? holder.content : {};
  const out = new Map<string, unknown>();
  for (const [media, entry] of Object.entries(content)) {
    out.set(media, isObject(entry) ? dereference(doc, entry).value.schema : undefined);
  }
  return out;
}

/** Compares the media types of a request body or response, then the schema of each shared one. */
function compareContent(c: SchemaComparison, at: Place, base: JsonObject, other: JsonObject): void {
  const b = contentOf(c.base, base);
  const o = contentOf(c.other, other);
  const bMedia = [...b.keys()];
  const oMedia = [...o.keys()];
  const shared = bMedia.filter((m) => o.has(m));
  if ([...bMedia].sort().join() !== [...oMedia].sort().join()) {
    c.findings.push({
      ...at,
      path: '',
      kind: 'media-changed',
      from: bMedia.join(', ') || '(no body)',
      to: oMedia.join(', ') || '(no body)',
    });
  }
  if (shared.length === 0) {
    // Different media types: still compare what they carry (e.g. a string either way).
    const [bm] = bMedia;
    const [om] = oMedia;
    if (bm !== undefined && om !== undefined) compareSchemas(c, at, b.get(bm), o.get(om), '');
    return;
  }
  for (const media of shared) {
    const part = shared.length > 1 ? { ...at, part: `${at.part} ${media}` } : at;
    compareSchemas(c, part, b.get(media), o.get(media), '');
  }
}

function compareOperations(c: SchemaComparison, endpoint: string, base: JsonObject, other: JsonObject): void {
  const request = { endpoint, part: 'request' };
  const bBody = base.requestBody === undefined ? undefined : dereference(c.base, base.requestBody).value;
  const oBody = other.requestBody === undefined ? undefined : dereference(c.other, other.requestBody).value;
  if (bBody && !oBody) c.findings.push({ ...request, kind: 'body-removed' });
  if (!bBody && oBody) c.findings.push({ ...request, kind: 'body-added' });
  if (bBody && oBody) {
    if ((bBody.required === true) !== (oBody.required === true)) {
      c.findings.push({
        ...request,
        kind: 'body-required-changed',
        from: bBody.required === true ? 'required' : 'optional',
        to: oBody.required === true ? 'required' : 'optional',
      });
    }
    compareContent(c, request, bBody, oBody);
  }

  const bResponses = isObject(base.responses) ? base.responses : {};
  const oResponses = isObject(other.responses) ? other.responses : {};
  const statuses = [...new Set([...Object.keys(bResponses), ...Object.keys(oResponses)])];
  for (const status of statuses) {
    const at = { endpoint, part: `response ${status}` };
    const b = status in bResponses ? dereference(c.base, bResponses[status]).value : undefined;
    const o = status in oResponses ? dereference(c.other, oResponses[status]).value : undefined;
    if (b && !o) c.findings.push({ ...at, kind: 'response-removed' });
    else if (!b && o) c.findings.push({ ...at, kind: 'response-added' });
    else if (b && o) compareContent(c, at, b, o);
  }
}

/** Every difference between `base` and `other`, endpoint by endpoint in the base's order. */
export function compareSpecs(base: JsonObject, other: JsonObject): Finding[] {
  const c = newComparison(base, other);
  const bRoutes = routes(base);
  const oRoutes = routes(other);

  for (const [key, b] of bRoutes) {
    const o = oRoutes.get(key);
    const bMethods = methodsOf(b.item);
    if (!o) {
      for (const m of bMethods)
        c.findings.push({ endpoint: `${m.toUpperCase()} ${b.path}`, kind: 'endpoint-removed' });
      continue;
    }
    const oMethods = methodsOf(o.item);
    const [bOnly] = bMethods;
    const [oOnly] = oMethods;
    if (bMethods.length === 1 && oMethods.length === 1 && bOnly && oOnly && bOnly !== oOnly) {
      // One operation each, under different methods: say so, and still compare what they carry.
      const endpoint = `${bOnly.toUpperCase()}->${oOnly.toUpperCase()} ${b.path}`;
      c.findings.push({
        endpoint,
        kind: 'method-changed',
        from: bOnly.toUpperCase(),
        to: oOnly.toUpperCase(),
      });
      compareOperations(c, endpoint, b.item[bOnly] as JsonObject, o.item[oOnly] as JsonObject);
      continue;
    }
    for (const m of bMethods) {
      const endpoint = `${m.toUpperCase()} ${b.path}`;
      if (!oMethods.includes(m)) c.findings.push({ endpoint, kind: 'endpoint-removed' });
      else compareOperations(c, endpoint, b.item[m] as JsonObject, o.item[m] as JsonObject);
    }
    for (const m of oMethods) {
      if (!bMethods.includes(m))
        c.findings.push({ endpoint: `${m.toUpperCase()} ${b.path}`, kind: 'endpoint-added' });
    }
  }
  for (const [key, o] of oRoutes) {
    if (bRoutes.has(key)) continue;
    for (const m of methodsOf(o.item))
      c.findings.push({ endpoint: `${m.toUpperCase()} ${o.path}`, kind: 'endpoint-added' });
  }
  return c.findings;
}
