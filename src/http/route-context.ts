/**
 * The context a route handler gets: an abort signal for answers that outlive the request (a
 * followed log). Made on first use: an AbortController and its listeners cost every /status
 * poll time and garbage, and only /getLogs reads the signal.
 */
import type { ServerResponse } from 'node:http';
import type { RouteContext } from './typed-route.ts';

export function routeContext(
  outgoing: ServerResponse,
  shutdownSignal: AbortSignal | undefined,
): RouteContext {
  let abort: AbortController | undefined;
  return {
    get signal(): AbortSignal {
      if (abort) return abort.signal;
      const made = new AbortController();
      abort = made;
      const onShutdown = () => made.abort();
      shutdownSignal?.addEventListener('abort', onShutdown, { once: true });
      // An answer already sent has nothing left to abort.
      if (outgoing.writableFinished) {
        shutdownSignal?.removeEventListener('abort', onShutdown);
        return made.signal;
      }
      outgoing.once('close', () => {
        shutdownSignal?.removeEventListener('abort', onShutdown);
        // Only a client that went away mid-answer (e.g. a followed log) needs the abort; it costs a DOMException.
        if (!outgoing.writableFinished) made.abort();
      });
      return made.signal;
    },
  };
}
