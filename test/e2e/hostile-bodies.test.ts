/**
 * Property on a real engine: a create body the plugin refuses leaves nothing behind, no container
 * and no file; none of them gets a 5xx. Accepted ones are deleted through the plugin as interLink would.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { LABEL } from '../../src/docker/labels.ts';
import { BAD_FOR_DOCKER_BODIES } from '../fixtures/bad-create-bodies.ts';
import { answerProblem, ENDPOINTS, hostileBody, wireBody } from '../fixtures/hostile-bodies.ts';
import { buildCreateRequest, buildPod } from '../fixtures/pod-builder.ts';
import { describeDocker, dockerPs } from '../helpers/docker.ts';
import { usePlugin } from '../helpers/use-plugin.ts';

describeDocker('hostile create bodies on a real engine', () => {
  const plugin = usePlugin();

  const podDirs = () => {
    const dir = join(plugin.stateDir, 'pods');
    return existsSync(dir) ? readdirSync(dir) : [];
  };

  it.each(BAD_FOR_DOCKER_BODIES)(
    'refuses %s with 422 naming the field and the limit',
    async (_n, spoil, field, problem) => {
      const body = buildCreateRequest(buildPod());
      spoil(body);
      const res = await plugin.request('POST', '/create', body, { Accept: 'application/json' });
      expect(res.status).toBe(422);
      expect(res.json().details).toEqual([{ field, problem: expect.stringContaining(problem) }]);
      expect(await dockerPs([`${LABEL.owner}=${plugin.instance}`])).toEqual([]);
      expect(podDirs()).toEqual([]);
    },
  );

  it.each(ENDPOINTS.filter((e) => e.path === '/create'))(
    '$name: a refused body creates nothing, and none gets a 5xx',
    async (endpoint) => {
      await fc.assert(
        fc.asyncProperty(hostileBody(endpoint), async (body) => {
          const res = await plugin.request(endpoint.method, endpoint.path, wireBody(body), {
            Accept: 'application/json',
          });
          expect(answerProblem(res.status, res.headers['content-type'], res.text)).toBeUndefined();
          if (res.status === 200) {
            const answers = [res.json()].flat() as Array<{ PodUID: string }>;
            for (const { PodUID } of answers) {
              const gone = await plugin.request('POST', '/delete', {
                metadata: {
                  name: 'hostile',
                  namespace: 'default',
                  uid: PodUID,
                  deletionGracePeriodSeconds: 0,
                },
              });
              expect(gone.status).toBe(200);
            }
            return;
          }
          expect(await dockerPs([`${LABEL.owner}=${plugin.instance}`])).toEqual([]);
          expect(podDirs()).toEqual([]);
        }),
        { numRuns: 12 },
      );
    },
  );
});
