/**
 * Type test, checked by `tsc` in CI: handlers bound with route() cannot answer what the
 * contract does not allow. Each line below must fail to compile; if one compiles, tsc fails.
 */
import { route } from '../../src/http/typed-route.ts';

// @ts-expect-error PodJobID is not a field of CreateStruct: a renamed field does not compile
route('/create', 'post', async () => ({ status: 200, json: { PodUID: 'a', PodJobID: 'b' } }));

// @ts-expect-error /create never answers 201 (the VK would mark the pod Failed)
route('/create', 'post', async () => ({ status: 201, json: { PodUID: 'a', PodJID: 'b' } }));

// @ts-expect-error /status answers JSON, not text
route('/status', 'get', async () => ({ status: 200, text: 'ok' }));

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

// @ts-expect-error there is no such path in the contract
route('/statuses', 'get', async () => ({ status: 200, json: {} }));

// The body a handler receives is the contract's: LogStruct has ContainerName, not container_name.
route('/getLogs', 'get', async (body) => {
  // @ts-expect-error container_name is the drifting SDK spelling
  body.container_name;
  return { status: 200, text: body.ContainerName };
});
