import { describe, expect, it } from 'vitest';
import { compareSpecs } from '../../src/spec-diff/compare-specs.ts';
import type { Finding } from '../../src/spec-diff/findings.ts';
import type { JsonObject } from '../../src/spec-diff/resolve-schema.ts';

/** A one-endpoint spec whose POST /thing request body is `Thing`, plus any other named schemas. */
function spec(thing: JsonObject, schemas: JsonObject = {}, openapi = '3.1.0'): JsonObject {
  return {
    openapi,
    info: { title: 'tiny', version: '1' },
    paths: {
      '/thing': {
        post: {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } },
          },
          responses: { '200': { description: 'ok' } },
        },
      },
    },
    components: { schemas: { Thing: thing, ...schemas } },
  };
}

/** One finding as a line: `<path> <kind> <from> -> <to>`. */
function line(f: Finding): string {
  const change = f.from !== undefined ? ` ${f.from} -> ${f.to}` : '';
  return `${f.path || '(body)'} ${f.kind}${change}`.trim();
}

function diff(base: JsonObject, other: JsonObject): string[] {
  return compareSpecs(base, other).map(line);
}

const obj = (properties: JsonObject, required: string[] = []): JsonObject => ({
  type: 'object',
  required,
  properties,
});
const str = { type: 'string' };

describe('field by field', () => {
  const rows: [string, JsonObject, JsonObject, string[]][] = [
    ['identical schemas have no findings', obj({ a: str }, ['a']), obj({ a: str }, ['a']), []],
    ['a field only in the other spec is added', obj({ a: str }), obj({ a: str, b: str }), ['.b added']],
    ['a field only in the base spec is removed', obj({ a: str, b: str }), obj({ a: str }), ['.b removed']],
    [
      'a field spelled in another style is renamed, not removed and added',
      obj({ PodUID: str }, ['PodUID']),
      obj({ pod_uid: str }, ['pod_uid']),
      ['.PodUID renamed PodUID -> pod_uid'],
    ],
    [
      'a rename is only a change of case or separators',
      obj({ Bytes: { type: 'integer' } }),
      obj({ limit_bytes: { type: 'integer' } }),
      ['.Bytes removed', '.limit_bytes added'],
    ],
    [
      'a different type is reported',
      obj({ exitCode: { type: 'integer' } }),
      obj({ exitCode: str }),
      ['.exitCode type-changed integer -> string'],
    ],
    [
      'a field that became required is reported with the rename',
      obj({ Opts: obj({}) }),
      obj({ opts: obj({}) }, ['opts']),
      ['.Opts renamed Opts -> opts', '.Opts required-changed optional -> required'],
    ],
    [
      '3.1 type [X, "null"] and anyOf with a null branch are the same nullability',
      obj({ a: { type: ['string', 'null'] } }),
      obj({ a: { anyOf: [str, { type: 'null' }] } }),
      [],
    ],
    [
      'a nullability difference is its own finding',
      obj({ a: str }),
      obj({ a: { type: ['string', 'null'] } }),
      ['.a nullable-changed not nullable -> nullable'],
    ],
    [
      'a map compares its values',
      obj({ labels: { type: 'object', additionalProperties: str } }),
      obj({ labels: { type: 'object', additionalProperties: { type: 'integer' } } }),
      ['.labels{} type-changed string -> integer'],
    ],
    [
      'described properties against a free-form object is a shape change, not a list of removals',
      obj({ resources: obj({ limits: str, requests: str }) }),
      obj({ resources: { anyOf: [{ type: 'object' }, { type: 'null' }] } }),
      [
        '.resources nullable-changed not nullable -> nullable',
        '.resources shape-changed object with 2 properties -> free-form object',
      ],
    ],
    [
      'oneOf object|array against an object compares the object branch',
      { oneOf: [obj({ PodUID: str }), { type: 'array', items: obj({ PodUID: str }) }] },
      obj({ pod_uid: str }),
      ['(body) type-changed object | array -> object', '.PodUID renamed PodUID -> pod_uid'],
    ],
  ];

  it.each(rows)('%s', (_name, base, other, want) => {
    expect(diff(spec(base), spec(other))).toEqual(want);
  });

  it('names fields by JSON-pointer-like paths through $refs and arrays', () => {
    const base = spec(obj({ pod: { $ref: '#/components/schemas/Pod' } }), {
      Pod: obj({
        spec: obj({ containers: { type: 'array', items: { $ref: '#/components/schemas/Container' } } }),
      }),
      Container: obj({ volumeMounts: { type: 'array', items: obj({ mountPath: str }) } }),
    });
    const other = spec(obj({ pod: { $ref: '#/components/schemas/Pod' } }), {
      Pod: obj({
        spec: obj({ containers: { type: 'array', items: { $ref: '#/components/schemas/Container' } } }),
      }),
      Container: obj({ volumeMounts: { type: 'array', items: obj({ mount_path: str }) } }),
    });

    expect(compareSpecs(base, other)).toEqual([
      {
        endpoint: 'POST /thing',
        part: 'request',
        path: '.pod.spec.containers[].volumeMounts[].mountPath',
        kind: 'renamed',
        from: 'mountPath',
        to: 'mount_path',
        detail: 'camelCase -> snake_case',
      },
    ]);
  });

  it('treats OpenAPI 3.0 nullable: true, also beside an allOf $ref, as 3.1 null types', () => {
    const base = spec(
      obj({
        name: { type: 'string', nullable: true },
        meta: { allOf: [{ $ref: '#/components/schemas/M' }], nullable: true },
      }),
      { M: obj({ a: str }) },
      '3.0.3',
    );
    const other = spec(
      obj({
        name: { type: ['string', 'null'] },
        meta: { oneOf: [{ $ref: '#/components/schemas/M' }, { type: 'null' }] },
      }),
      { M: obj({ a: str }) },
    );

    expect(diff(base, other)).toEqual([]);
  });

  it('stops at a $ref cycle and reports each difference once', () => {
    const node = (name: string) =>
      obj({ [name]: str, children: { type: 'array', items: { $ref: '#/components/schemas/Node' } } });
    const base = spec({ $ref: '#/components/schemas/Node' }, { Node: node('name') });
    const other = spec({ $ref: '#/components/schemas/Node' }, { Node: node('Name') });

    expect(diff(base, other)).toEqual(['.name renamed name -> Name']);
  });

  it('stops at a $ref that points back to itself and says it cannot resolve it', () => {
    const base = spec(obj({ a: { $ref: '#/components/schemas/A' } }), {
      A: { $ref: '#/components/schemas/B' },
      B: { $ref: '#/components/schemas/A' },
    });
    const other = spec(obj({ a: str }));

    const findings = compareSpecs(base, other);
    expect(findings.some((f) => f.kind === 'unresolved' && f.detail?.includes('$ref cycle'))).toBe(true);
  });

  it('stops at a schema that includes itself through allOf', () => {
    const loop = { allOf: [{ $ref: '#/components/schemas/Loop' }, { $ref: '#/components/schemas/Loop' }] };
    const base = spec(obj({ a: { $ref: '#/components/schemas/Loop' } }), { Loop: loop });

    const findings = compareSpecs(base, spec(obj({ a: str })));
    expect(findings.some((f) => f.kind === 'unresolved' && f.detail?.includes('cycle'))).toBe(true);
  });

  it('lists the differences of a pair of named schemas once and points back to them when met again', () => {
    const base = spec(obj({ a: { $ref: '#/components/schemas/M' }, b: { $ref: '#/components/schemas/M' } }), {
      M: obj({ x: str }),
    });
    const other = spec(
      obj({ a: { $ref: '#/components/schemas/M' }, b: { $ref: '#/components/schemas/M' } }),
      {
        M: obj({ X: str }),
      },
    );

    const findings = compareSpecs(base, other);
    expect(findings.map(line)).toEqual(['.a.x renamed x -> X', '.b same-as']);
    expect(findings[1]?.detail).toBe('M vs M, 1 difference listed at POST /thing request .a');
  });
});
