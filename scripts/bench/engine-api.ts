/**
 * The Engine API baseline: a client of dockerd over its unix socket (keep-alive, as an SDK
 * would hold it), doing what one status answer needs: `GET /containers/{id}/json` per container.
 */
import { existsSync } from 'node:fs';
import { Agent, request } from 'node:http';

/** The unix socket of DOCKER_HOST (unix://...) or /var/run/docker.sock; undefined if unreachable. */
export function engineSocket(): string | undefined {
  const host = process.env.DOCKER_HOST;
  const path = host
    ? host.startsWith('unix://')
      ? host.slice('unix://'.length)
      : undefined
    : '/var/run/docker.sock';
  return path && existsSync(path) ? path : undefined;
}

export class EngineApi {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });

  constructor(private readonly socketPath: string) {}

  /** GET path; resolves the body, rejects on a non-2xx answer. */
  get(path: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = request({ socketPath: this.socketPath, path, method: 'GET', agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const code = res.statusCode ?? 0;
          if (code >= 200 && code < 300) resolve(body);
          else reject(new Error(`GET ${path} -> ${code}: ${body.slice(0, 200)}`));
        });
      });
      req.on('error', reject);
      req.end();
    });
  }

  /** Inspects each container (in parallel, as a client answering one pod would) and parses it. */
  async inspectAll(ids: readonly string[]): Promise<unknown[]> {
    return Promise.all(ids.map(async (id) => JSON.parse(await this.get(`/containers/${id}/json`))));
  }

  /** Container logs, both streams, as `docker logs` asks for them. */
  logs(id: string): Promise<string> {
    return this.get(`/containers/${id}/logs?stdout=1&stderr=1`);
  }

  close(): void {
    this.agent.destroy();
  }
}
