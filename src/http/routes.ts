/** The plugin's endpoints, each bound to its operation in the contract. */

import type { Backend } from '../backend/backend.ts';
import type { LogStruct, Pod, RetrievedPodData } from '../contract/api-types.ts';
import { isGoZeroTime } from '../contract/interlink-wire.ts';
import type { BodyValidator } from '../contract/validate-body.ts';
import { PluginError } from '../errors.ts';
import type { OpsLimit, WhileWaiting } from './ops-limit.ts';
import { type Handler, route } from './typed-route.ts';

/** `ops` caps creates and deletes under way at once (none when undefined). */
export function pluginRoutes(backend: Backend, validator: BodyValidator, ops?: OpsLimit) {
  const limited = <T>(op: (whileWaiting: WhileWaiting) => Promise<T>): Promise<T> =>
    ops ? ops.run(op) : op((wait) => wait());
  const status: Handler<'/status', 'get'> = async (body) => {
    // `[]` (or null, or no body) is interLink's ping: it sizes the virtual node from the answer.
    const pods = validator.check<Pod[] | null>('StatusRequest', body ?? null);
    if (!pods || pods.length === 0) return { status: 200, json: await backend.ping() };
    return { status: 200, json: await backend.status(pods) };
  };

  const logs: Handler<'/getLogs', 'get'> = async (body, ctx) => {
    const request = validator.check<LogStruct>('LogStruct', body);
    const opts = request.Opts ?? {};
    if ((opts.Tail ?? 0) > 0 && (opts.Bytes ?? 0) > 0) {
      throw new PluginError(
        'malformed',
        'Opts.Tail and Opts.Bytes cannot be used together (interLink rejects them too)',
      );
    }
    if ((opts.SinceSeconds ?? 0) > 0 && !isGoZeroTime(opts.SinceTime)) {
      throw new PluginError(
        'malformed',
        'Opts.SinceSeconds and Opts.SinceTime cannot be used together (interLink rejects them too)',
      );
    }
    return { status: 200, text: await backend.logs(request, ctx.signal) };
  };

  return [
    route('/create', 'post', async (body) => {
      // Today's interLink sends one object, older clients an array: answer in kind.
      if (Array.isArray(body)) {
        const items = validator.check<RetrievedPodData[]>('RetrievedPodData[]', body);
        if (items.length === 0)
          throw new PluginError('invalid', 'invalid create request: the list of pods is empty', {
            details: [{ field: '', problem: 'must list at least one pod' }],
          });
        const created = [];
        for (const item of items) created.push(await limited(() => backend.create(item)));
        return { status: 200, json: created };
      }
      const item = validator.check<RetrievedPodData>('RetrievedPodData', body);
      return { status: 200, json: await limited(() => backend.create(item)) };
    }),

    route('/delete', 'post', async (body) => {
      const pod = validator.check<Pod>('Pod', body);
      await limited((whileWaiting) => backend.delete(pod, whileWaiting));
      return { status: 200, text: `pod ${pod.metadata.namespace ?? 'default'}/${pod.metadata.name} deleted` };
    }),

    route('/status', 'get', status),
    // POST aliases: some proxies drop GET bodies (interLink's Kubernetes plugin accepts them too).
    // Bound through the GET's handler, so tsc fails here if the two operations ever differ.
    route('/status', 'post', (body, ctx) => status(body, ctx)),
    route('/getLogs', 'get', logs),
    route('/getLogs', 'post', (body, ctx) => logs(body, ctx)),

    route('/healthz', 'get', async () => ({ status: 200, json: { status: 'ok' } })),

    route('/readyz', 'get', async () => {
      const health = await backend.health();
      return health.status === 'unavailable' ? { status: 503, json: health } : { status: 200, json: health };
    }),
  ];
}
