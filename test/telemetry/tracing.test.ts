import { randomBytes, randomUUID } from 'node:crypto';
import { ServerCredentials } from '@grpc/grpc-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { allTerminated, pollStatus } from '../e2e/poll.ts';
import { buildCreateRequest, buildPod, deleteRequest } from '../fixtures/pod-builder.ts';
import { describeDocker } from '../helpers/docker.ts';
import { type OtlpReceiver, startOtlpReceiver } from '../helpers/otlp-receiver.ts';
import { type RunningPlugin, startPlugin, stopAll } from '../helpers/plugin-process.ts';
import { makeTestCertificates } from '../helpers/test-certificates.ts';

describeDocker('traces sent to an OTLP gRPC receiver (ENABLE_TRACING=1)', () => {
  let receiver: OtlpReceiver;
  let plugin: RunningPlugin;
  const uniqueId = `test-${randomUUID().slice(0, 8)}`;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    plugin = await startPlugin({
      args: ['--image-pull-backoff', '60'],
      env: { ENABLE_TRACING: '1', TELEMETRY_ENDPOINT: receiver.endpoint, TELEMETRY_UNIQUE_ID: uniqueId },
    });
  });
  afterAll(async () => {
    await stopAll();
    await receiver?.close();
  });

  it('sends one span per request with the pod, the exit code and the session, and child spans for docker commands', async () => {
    const pod = buildPod({
      restartPolicy: 'Never',
      containers: [{ name: 'hello', command: ['echo', 'hi'] }],
    });
    const session = `Request-${randomUUID()}`;
    const created = await plugin.request('POST', '/create', buildCreateRequest(pod), {
      'InterLink-Http-Session': session,
    });
    expect(created.status).toBe(200);
    await pollStatus(plugin, pod, created.json().PodJID, allTerminated);
    expect((await plugin.request('POST', '/delete', deleteRequest(pod))).status).toBe(200);

    const create = await receiver.waitForSpan(
      (s) => s.name === 'POST /create' && s.attributes['pod.uid'] === pod.metadata.uid,
    );
    expect(create.serviceName).toBe(`Plugin-${uniqueId}`);
    expect(create.parentSpanId).toBe('');
    expect(create.attributes).toMatchObject({
      'pod.name': pod.metadata.name,
      'pod.namespace': pod.metadata.namespace,
      'pod.uid': pod.metadata.uid,
      'exit.code': 200,
      'interlink.http.session_id': session,
      'http.route': '/create',
    });
    const run = await receiver.waitForSpan(
      (s) => s.parentSpanId === create.spanId && /^docker (run|create)$/.test(s.name),
    );
    expect(run.traceId).toBe(create.traceId);
    expect(run.attributes['exit.code']).toBe(0);

    const deleted = await receiver.waitForSpan(
      (s) => s.name === 'POST /delete' && s.attributes['pod.uid'] === pod.metadata.uid,
    );
    expect(deleted.traceId).not.toBe(create.traceId);
    await receiver.waitForSpan((s) => s.parentSpanId === deleted.spanId && s.name.startsWith('docker '));
    const status = await receiver.waitForSpan(
      (s) => s.name === 'GET /status' && s.attributes['pod.uid'] === pod.metadata.uid,
    );
    expect(status.attributes['exit.code']).toBe(200);
  });

  it('sends a failed image pull as a child of the create that asked for it, and a refused request with its code', async () => {
    const image = `localhost/trace-pull-${randomBytes(4).toString('hex')}:1`;
    const pod = buildPod({ containers: [{ name: 'late', image, command: ['true'] }] });
    const created = await plugin.request('POST', '/create', buildCreateRequest(pod));
    expect(created.status).toBe(200);
    const create = await receiver.waitForSpan(
      (s) => s.name === 'POST /create' && s.attributes['pod.uid'] === pod.metadata.uid,
    );
    const pull = await receiver.waitForSpan(
      (s) => s.name === 'image pull' && s.attributes['container.image.name'] === image,
    );
    expect(pull.parentSpanId).toBe(create.spanId);
    expect(pull.statusCode).toBe(2);
    expect(pull.attributes['exit.code']).not.toBe(0);
    await plugin.request('POST', '/delete', deleteRequest(pod));

    const bad = await plugin.request('POST', '/delete', { metadata: 'not a pod' });
    expect(bad.status).toBe(422);
    await receiver.waitForSpan((s) => s.name === 'POST /delete' && s.attributes['exit.code'] === 422);
  });
});

describeDocker('traces over mutual TLS (TELEMETRY_CA_CRT_FILEPATH and the client pair)', () => {
  let receiver: OtlpReceiver;
  let plugin: RunningPlugin;
  beforeAll(async () => {
    const certs = makeTestCertificates();
    receiver = await startOtlpReceiver({
      credentials: ServerCredentials.createSsl(
        certs.read(certs.caCrt),
        [{ cert_chain: certs.read(certs.serverCrt), private_key: certs.read(certs.serverKey) }],
        true,
      ),
    });
    plugin = await startPlugin({
      env: {
        ENABLE_TRACING: '1',
        TELEMETRY_ENDPOINT: receiver.endpoint,
        TELEMETRY_CA_CRT_FILEPATH: certs.caCrt,
        TELEMETRY_CLIENT_CRT_FILEPATH: certs.clientCrt,
        TELEMETRY_CLIENT_KEY_FILEPATH: certs.clientKey,
      },
    });
  });
  afterAll(async () => {
    await stopAll();
    await receiver?.close();
  });

  it('delivers spans to a receiver that demands a client certificate', async () => {
    expect((await plugin.request('GET', '/status', [])).status).toBe(200);
    const span = await receiver.waitForSpan((s) => s.name === 'GET /status');
    expect(span.serviceName).toMatch(/^Plugin-[0-9a-f-]{36}$/);
  });
});

describeDocker('traces over TLS without checking the receiver (TELEMETRY_INSECURE_SKIP_VERIFY)', () => {
  let receiver: OtlpReceiver;
  let plugin: RunningPlugin;
  beforeAll(async () => {
    const certs = makeTestCertificates();
    receiver = await startOtlpReceiver({
      credentials: ServerCredentials.createSsl(
        null,
        [{ cert_chain: certs.read(certs.serverCrt), private_key: certs.read(certs.serverKey) }],
        false,
      ),
    });
    plugin = await startPlugin({
      env: {
        ENABLE_TRACING: '1',
        TELEMETRY_ENDPOINT: receiver.endpoint,
        TELEMETRY_INSECURE_SKIP_VERIFY: 'true',
      },
    });
  });
  afterAll(async () => {
    await stopAll();
    await receiver?.close();
  });

  it('delivers spans to a receiver whose certificate it was given no CA for', async () => {
    expect((await plugin.request('GET', '/healthz')).status).toBe(200);
    await receiver.waitForSpan((s) => s.name === 'GET /healthz');
  });
});
