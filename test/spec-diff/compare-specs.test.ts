import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareSpecs } from '../../src/spec-diff/compare-specs.ts';
import type { JsonObject } from '../../src/spec-diff/resolve-schema.ts';

const text = { 'text/plain': { schema: { type: 'string' } } };
const json = { 'application/json': { schema: { type: 'string' } } };

function api(paths: JsonObject): JsonObject {
  return { openapi: '3.1.0', info: { title: 'tiny', version: '1' }, paths };
}

function op(
  responses: JsonObject = { '200': { description: 'ok', content: text } },
  requestBody?: JsonObject,
): JsonObject {
  return requestBody ? { requestBody, responses } : { responses };
}

/** `<endpoint> [<part>] <kind> [<from> -> <to>]` per finding. */
function lines(base: JsonObject, other: JsonObject): string[] {
  return compareSpecs(base, other).map((f) =>
    [f.endpoint, f.part, f.kind, f.from !== undefined ? `${f.from} -> ${f.to}` : undefined]
      .filter(Boolean)
      .join(' '),
  );
}

describe('endpoint by endpoint', () => {
  const rows: [string, JsonObject, JsonObject, string[]][] = [
    ['identical endpoints have no findings', api({ '/a': { get: op() } }), api({ '/a': { get: op() } }), []],
    [
      'an endpoint on one side only is reported per method',
      api({ '/a': { get: op() }, '/healthz': { get: op() } }),
      api({ '/a': { get: op() }, '/b': { post: op() } }),
      ['GET /healthz endpoint-removed', 'POST /b endpoint-added'],
    ],
    [
      'the same path under another method is a method change, and its bodies are still compared',
      api({ '/status': { get: op({ '200': { description: 'ok', content: text } }) } }),
      api({ '/status': { post: op({ '200': { description: 'ok', content: json } }) } }),
      [
        'GET->POST /status method-changed GET -> POST',
        'GET->POST /status response 200 media-changed text/plain -> application/json',
      ],
    ],
    [
      'extra methods on a shared path are endpoints on one side',
      api({ '/a': { get: op(), post: op() } }),
      api({ '/a': { get: op(), put: op() } }),
      ['POST /a endpoint-removed', 'PUT /a endpoint-added'],
    ],
    [
      'path templates with differently named parameters are the same route',
      api({ '/pods/{uid}': { get: op() } }),
      api({ '/pods/{id}': { get: op() } }),
      [],
    ],
    [
      'a response status on one side only is reported',
      api({ '/a': { get: op({ '200': { description: 'ok' }, '503': { description: 'busy' } }) } }),
      api({ '/a': { get: op({ '200': { description: 'ok' }, '422': { description: 'bad' } }) } }),
      ['GET /a response 503 response-removed', 'GET /a response 422 response-added'],
    ],
    [
      'a request body on one side only, or required on one side only, is reported',
      api({ '/a': { post: op(undefined, { required: true, content: json }) }, '/b': { post: op() } }),
      api({
        '/a': { post: op(undefined, { content: json }) },
        '/b': { post: op(undefined, { content: json }) },
      }),
      ['POST /a request body-required-changed required -> optional', 'POST /b request body-added'],
    ],
  ];

  it.each(rows)('%s', (_name, base, other, want) => {
    expect(lines(base, other)).toEqual(want);
  });

  it("finds no difference between the project's contract and a copy of it", () => {
    const contract = JSON.parse(
      readFileSync(new URL('../../spec/plugin-openapi.json', import.meta.url), 'utf8'),
    );

    expect(compareSpecs(contract, structuredClone(contract))).toEqual([]);
  });
});
