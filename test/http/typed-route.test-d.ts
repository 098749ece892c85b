/**
 * Type tests, checked by vitest's typecheck in `npm test` (and by `tsc` in CI): a handler bound with
 * route() receives the contract's body and cannot answer what the contract does not allow. Each
 * `@ts-expect-error` line must fail to compile; if one compiles, its test fails.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { CreateStruct, LogStruct, Pod, RetrievedPodData } from '../../src/contract/api-types.ts';
import { type Reply, type RequestBody, route } from '../../src/http/typed-route.ts';

describe('route() binds a handler to its operation of the contract', () => {
  it('hands each handler the request body of its operation', () => {
    expectTypeOf<RequestBody<'/getLogs', 'get'>>().toEqualTypeOf<LogStruct>();
    expectTypeOf<RequestBody<'/delete', 'post'>>().toEqualTypeOf<Pod>();
    expectTypeOf<RetrievedPodData>().toExtend<RequestBody<'/create', 'post'>>();
    expectTypeOf<RetrievedPodData[]>().toExtend<RequestBody<'/create', 'post'>>();
  });

  it('lets /create answer 200 with one CreateStruct or a list of them', () => {
    expectTypeOf<{ status: 200; json: CreateStruct }>().toExtend<Reply<'/create', 'post'>>();
    expectTypeOf<{ status: 200; json: CreateStruct[] }>().toExtend<Reply<'/create', 'post'>>();
  });

  it('refuses a renamed field: PodJobID is not a field of CreateStruct', () => {
    // @ts-expect-error PodJobID is not a field of CreateStruct: a renamed field does not compile
    route('/create', 'post', async () => ({ status: 200, json: { PodUID: 'a', PodJobID: 'b' } }));
  });

  it('refuses a status code the contract does not list', () => {
    // @ts-expect-error /create never answers 201 (the VK would mark the pod Failed)
    route('/create', 'post', async () => ({ status: 201, json: { PodUID: 'a', PodJID: 'b' } }));
  });

  it('refuses text where the contract answers JSON', () => {
    // @ts-expect-error /status answers JSON, not text
    route('/status', 'get', async () => ({ status: 200, text: 'ok' }));
  });

  it('refuses a string exit code: Go rejects it', () => {
    // @ts-expect-error exitCode is an integer on the wire: Go rejects a string
    route('/status', 'get', async () => ({
      status: 200,
      json: [
        {
          name: 'p',
          UID: 'u',
          namespace: 'n',
          JID: 'j',
          initContainers: [],
          containers: [
            {
              name: 'c',
              image: 'i',
              imageID: '',
              ready: false,
              restartCount: 0,
              state: { terminated: { exitCode: '3' } },
            },
          ],
        },
      ],
    }));
  });

  it('refuses a path the contract does not have', () => {
    // @ts-expect-error there is no such path in the contract
    route('/statuses', 'get', async () => ({ status: 200, json: {} }));
  });

  it('refuses the drifting SDK spelling of a body field', () => {
    route('/getLogs', 'get', async (body) => {
      // @ts-expect-error container_name is the drifting SDK spelling; LogStruct has ContainerName
      body.container_name;
      return { status: 200, text: body.ContainerName };
    });
  });
});
