/**
 * A Docker daemon that stops and comes back (a second dockerd of this test's own; the main engine is
 * never touched): while it is down every endpoint that needs it answers 503 with a sentence and
 * Retry-After, the ping too (the node goes NotReady), /readyz is 503, and the log says so once; once
 * it is back, /readyz is 200 only when the events stream has been accepted again.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  buildCreateRequest,
  buildPod,
  deleteRequest,
  logsRequest,
  statusRequest,
} from '../fixtures/pod-builder.ts';
import { describeDocker } from '../helpers/docker.ts';
import type { HttpResponse } from '../helpers/plugin-process.ts';
import { type SecondDockerd, startSecondDockerd } from '../helpers/second-dockerd.ts';
import { usePlugin } from '../helpers/use-plugin.ts';

const JSON_ACCEPT = { Accept: 'application/json' };

/** Asks until `done` holds for the answer; the answer is returned. */
async function until(
  ask: () => Promise<HttpResponse>,
  done: (r: HttpResponse) => boolean,
): Promise<HttpResponse> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await ask();
    if (done(res)) return res;
    if (Date.now() > deadline) throw new Error(`no such answer within 60 s; last: ${res.status} ${res.text}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const outageAnswer = (res: HttpResponse) => ({
  status: res.status,
  retryAfter: res.headers['retry-after'],
  body: res.json(),
});

const OUTAGE = {
  status: 503,
  retryAfter: '5',
  body: { status: 503, error: 'Docker is not answering; the plugin retries' },
};

describeDocker('a Docker daemon that stops and comes back', () => {
  let dockerd: SecondDockerd;
  beforeAll(async () => {
    dockerd = await startSecondDockerd();
  }, 90_000);
  afterAll(async () => {
    await dockerd?.stop();
  });
  const plugin = usePlugin(() => ({ env: { DOCKER_HOST: dockerd.host }, args: ['--log-level', 'debug'] }));

  const ready = () => plugin.request('GET', '/readyz');
  const pod = buildPod();
  const status = () => plugin.request('GET', '/status', statusRequest(pod, 'k8s_default_x'), JSON_ACCEPT);

  it('answers 503 with Retry-After while Docker is down, logs it once, and is ready again after', async () => {
    await until(ready, (r) => r.status === 200 && r.json().checks.events === 'ok');
    await dockerd.halt();

    expect(outageAnswer(await until(status, (r) => r.status !== 200))).toEqual(OUTAGE);
    for (let i = 0; i < 5; i++) expect(outageAnswer(await status())).toEqual(OUTAGE);
    expect(outageAnswer(await plugin.request('GET', '/status', [], JSON_ACCEPT))).toEqual(OUTAGE);
    expect(
      outageAnswer(await plugin.request('POST', '/create', buildCreateRequest(pod), JSON_ACCEPT)),
    ).toEqual(OUTAGE);
    expect(outageAnswer(await plugin.request('POST', '/delete', deleteRequest(pod), JSON_ACCEPT))).toEqual(
      OUTAGE,
    );
    expect(
      outageAnswer(await plugin.request('GET', '/getLogs', logsRequest(pod, 'greeter'), JSON_ACCEPT)),
    ).toEqual(OUTAGE);
    // Across several attempts to reconnect the events stream (each spawned, none accepted),
    // neither readiness nor the status claims more than is true.
    const retries = () =>
      plugin
        .logs()
        .split('\n')
        .filter((l) => l.includes('docker events stopped')).length;
    const before = retries();
    while (retries() < before + 3) {
      const res = await ready();
      expect(res.status).toBe(503);
      expect(res.json().status).toBe('unavailable');
      expect(outageAnswer(await status())).toEqual(OUTAGE);
    }
    // Debug lines (one per refused request) aside, the outage is one warning and nothing else.
    const loud = plugin
      .logs()
      .split('\n')
      .filter((l) => /"level":"(warn|error)"/.test(l));
    expect(loud).toEqual([expect.stringContaining('Docker is not answering; the plugin retries')]);

    await dockerd.start();
    // Degraded (200) while the events stream is not yet accepted again, then ok.
    const back = await until(ready, (r) => r.status === 200 && r.json().status === 'ok');
    expect(back.json().checks.events).toBe('ok');
    expect((await plugin.request('GET', '/status', [], JSON_ACCEPT)).status).toBe(200);
    expect((await status()).status).toBe(200);
    await plugin.waitForLog(/Docker answers again/);
    expect(
      plugin
        .logs()
        .split('\n')
        .filter((l) => l.includes('Docker answers again')),
    ).toHaveLength(1);
  }, 120_000);
});
