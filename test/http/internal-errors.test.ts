/**
 * A 500 reaches the pod's status.message (interLink shows a failed create's body in `kubectl
 * describe`): it says what failed and what to do, with the session to find the details by; the
 * docker command line, its stderr and host paths stay in the log line of that session.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DockerCliError } from '../../src/docker/engine/docker-cli.ts';
import { PluginError } from '../../src/errors.ts';
import { buildCreateRequest, buildPod, deleteRequest } from '../fixtures/pod-builder.ts';
import { httpRequest, JSON_ERRORS } from '../helpers/plugin-process.ts';
import { closeAll, serveFake } from './serve-fake.ts';

afterEach(closeAll);

const STATE = '/var/lib/interlink-docker-plugin/pods/0123/volumes/data';
const dockerFailure = () =>
  new DockerCliError(
    `docker run -d --name default-web_sandbox --mount type=bind,src=${STATE},dst=/data busybox:1.36`,
    125,
    `docker: Error response from daemon: invalid mount config for type "bind": bind source path does not exist: ${STATE}\n`,
  );
const HOST_INTERNALS = /\/var\/lib|\/tmp\/|docker run|Error response|bind source|--name|exit 125/;

describe('a 500 answer', () => {
  it.each([
    ['interLink (no Accept)', {}],
    ['a JSON client', JSON_ERRORS],
  ])('carries no host internals to %s, and names the session whose log line has them', async (_n, accept) => {
    const { backend, lines, target } = await serveFake();
    backend.failWith(
      'create',
      new PluginError('internal', `could not create pod default/web: ${dockerFailure().message}`, {
        cause: dockerFailure(),
      }),
    );
    const res = await httpRequest(target, 'POST', '/create', buildCreateRequest(buildPod()), {
      ...accept,
      'InterLink-Http-Session': 'Request-42',
    });
    expect(res.status).toBe(500);
    expect(res.text).not.toMatch(HOST_INTERNALS);
    expect(res.text).toMatch(/The pod was not created|internal error/);
    expect(res.text).toContain('Request-42');
    const logged = lines.find((l) => l.level === 'error' && l.session === 'Request-42');
    expect(logged).toMatchObject({
      status: 500,
      command: expect.stringContaining('docker run -d --name default-web_sandbox'),
      exitCode: 125,
      stderr: expect.stringContaining(`bind source path does not exist: ${STATE}`),
    });
  });

  it('names a request id of its own when the client sent no session, and logs under it', async () => {
    const { backend, lines, target } = await serveFake();
    backend.failWith('delete', new PluginError('internal', `could not remove ${STATE}: EBUSY`));
    const res = await httpRequest(target, 'POST', '/delete', deleteRequest(buildPod()), {
      'InterLink-Http-Session': '',
    });
    expect(res.status).toBe(500);
    expect(res.text).not.toMatch(HOST_INTERNALS);
    const id = /session (local-[0-9a-f-]+)/.exec(res.text)?.[1];
    expect(id, res.text).toBeDefined();
    expect(lines.find((l) => l.level === 'error' && l.session === id)?.msg).toContain(STATE);
  });

  it('keeps a 4xx message that tells the user what to fix, and a 503 outage with Retry-After', async () => {
    const { backend, target } = await serveFake();
    backend.failWith(
      'create',
      new PluginError('conflict', 'the node has no free GPU for pod default/web (needs 1)'),
    );
    const conflict = await httpRequest(target, 'POST', '/create', buildCreateRequest(buildPod()));
    expect(conflict.text).toContain('the node has no free GPU for pod default/web (needs 1)');
    backend.failWith(
      'create',
      new PluginError('unavailable', 'Docker is not answering; the plugin retries', {
        retryAfterSeconds: 5,
        cause: dockerFailure(),
      }),
    );
    const outage = await httpRequest(target, 'POST', '/create', buildCreateRequest(buildPod()), JSON_ERRORS);
    expect([outage.status, outage.headers['retry-after']]).toEqual([503, '5']);
    expect(outage.json()).toEqual({ status: 503, error: 'Docker is not answering; the plugin retries' });
  });
});
