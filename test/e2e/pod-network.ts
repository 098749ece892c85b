/** Reaching a pod over Docker's network from the test host: its sandbox's address, and a GET that waits for it to answer. */
import type { Pod } from '../../src/contract/api-types.ts';
import { runDocker } from '../helpers/docker.ts';
import { podContainerIds } from './pod-session.ts';

/** The pod's address: its sandbox's IP on the network Docker put it on. */
export async function sandboxIp(pod: Pod): Promise<string> {
  const [sandbox] = await podContainerIds(pod, 'sandbox');
  const { stdout } = await runDocker([
    'inspect',
    '--format',
    '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}',
    sandbox ?? '',
  ]);
  return stdout.trim();
}

/** The body of `url` once it answers: a tunnel or server in a pod comes up some time after the pod runs. */
export async function getEventually(url: string, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      return await res.text();
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms: ${String(last)}`);
}
