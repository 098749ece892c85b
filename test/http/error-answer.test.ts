import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { errorAnswer, errorSentence, fieldPath } from '../../src/http/error-answer.ts';

/** A tiny app whose every route refuses a create the way the plugin does. */
const app = new Hono().all('*', (c) =>
  errorAnswer(c, 422, 'invalid RetrievedPodData: /pod/spec/containers/0/image is required', [
    { field: '/pod/spec/containers/0/image', problem: 'is required' },
    { field: '/pod/spec/restartPolicy', problem: 'must be one of "Always", "OnFailure", "Never"' },
  ]),
);

describe('errorAnswer', () => {
  it.each([
    ['no Accept header (interLink)', undefined],
    ['Accept: */* (curl)', '*/*'],
    ['text/plain first', 'text/plain, application/json;q=0.5'],
  ])('answers one plain sentence to %s', async (_name, accept) => {
    const res = await app.request('/create', { method: 'POST', headers: accept ? { Accept: accept } : {} });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe(
      'The pod was not created: spec.containers[0].image is required (and 1 more problem). ' +
        'Correct that field of the pod and create it again.',
    );
  });

  it.each(['application/json', 'application/*', 'text/plain;q=0.1, application/json'])(
    'answers the contract Error body to Accept: %s',
    async (accept) => {
      const res = await app.request('/create', { method: 'POST', headers: { Accept: accept } });
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const body = (await res.json()) as { status: number; details: { field: string }[] };
      expect(body.status).toBe(422);
      expect(body.details[0].field).toBe('/pod/spec/containers/0/image');
    },
  );
});

describe('errorSentence', () => {
  it('keeps out what interLink would HTML-escape, and keeps to one line', () => {
    const s = errorSentence('/create', 500, 'docker said "no"\nand <this> & that\'s it');
    expect(s).toBe(
      'The pod was not created: docker said no and ‹this› and that’s it. ' +
        'The plugin log has the details; try again once the Docker host is healthy.',
    );
  });

  it.each([
    [
      '/status',
      413,
      'request body is larger than the limit of 10 bytes (PLUGIN_BODY_LIMIT)',
      /Raise PLUGIN_BODY_LIMIT/,
    ],
    [
      '/getLogs',
      404,
      'container x is not in pod a/b (containers: y)',
      /^The logs could not be read: container x .*Check the pod/,
    ],
  ])('says what to do for %s %d', (path, status, message, want) => {
    expect(errorSentence(path, status, message)).toMatch(want);
  });
});

describe('fieldPath', () => {
  it.each([
    ['', '/create', 'the body'],
    ['/pod/spec/containers/0/image', '/create', 'spec.containers[0].image'],
    ['/0/metadata/uid', '/status', '[0].metadata.uid'],
    ['/pod/metadata/annotations/a~1b', '/create', 'metadata.annotations.a/b'],
    ['/PodUID', '/getLogs', 'PodUID'],
  ])('%s of %s is %s', (pointer, path, want) => {
    expect(fieldPath(pointer, path)).toBe(want);
  });
});
