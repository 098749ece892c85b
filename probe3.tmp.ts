import { request, Agent } from 'node:http';
import { createApp } from './src/http/app.ts';
import { listen } from './src/http/listen.ts';
import { metricsFastPath } from './src/http/metrics-fast-path.ts';
import { PluginMetrics } from './src/metrics/plugin-metrics.ts';
import { LABEL } from './src/docker/labels.ts';

const N = Number(process.argv[2] ?? 40);
const pods = new Map<string, any[]>();
for (let i = 0; i < N; i++) pods.set(`uid-${i}`, [{ State: { Status: 'running', ExitCode: 0 }, Config: { Labels: { [LABEL.role]: 'main' } } }]);
const view = { podUids: () => [...pods.keys()], containersOfPod: (u: string) => pods.get(u) ?? [], health: () => ({ eventsConnected: true }) as any };
const m = new PluginMetrics({ view, gpus: () => undefined });
const usage = Buffer.from('x'.repeat(N * 1500));
m.addPrepared(async () => usage);
const app = createApp({ backend: {} as any, bodyLimitBytes: 1e6, observers: [m.httpObserver], metrics: () => m.exposition() });
const fast = process.argv[3] === 'fast';
const server = await listen(app, { kind: 'tcp', host: '127.0.0.1', port: 0 }, 0o600, fast ? metricsFastPath({ metrics: () => m.exposition(), observe: m.observeRequest }) : undefined);
const url = new URL(server.address);
const agent = new Agent({ keepAlive: true });
const get = () => new Promise<void>((res, rej) => { request({ hostname: url.hostname, port: url.port, path: '/metrics', agent }, (r) => { r.resume(); r.on('end', res); }).on('error', rej).end(); });
async function time(label: string, f: () => Promise<unknown>, n = 1000) {
  for (let i = 0; i < 200; i++) await f();
  const c0 = process.cpuUsage(); const t0 = performance.now();
  for (let i = 0; i < n; i++) await f();
  const c = process.cpuUsage(c0);
  console.log(label, ((c.user + c.system) / 1000 / n).toFixed(3), 'ms cpu', ((performance.now() - t0) / n).toFixed(3), 'ms wall');
}
await time(`N=${N} ${fast ? 'fast' : 'hono'} GET /metrics`, get);
await time(`N=${N} exposition`, () => m.exposition());
await server.close(100); agent.destroy();
