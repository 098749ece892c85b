import { afterAll, describe, expect, it } from 'vitest';
import { LABEL } from '../../src/docker/labels.ts';
import { BAD_CREATE_BODIES } from '../fixtures/bad-create-bodies.ts';
import {
  buildCreateRequest,
  buildPod,
  deleteRequest,
  logsRequest,
  statusRequest,
} from '../fixtures/pod-builder.ts';
import { describeDocker, dockerPs, runDocker } from '../helpers/docker.ts';
import { type RunningPlugin, startPlugin, stopAll } from '../helpers/plugin-process.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import { JSON_ERRORS } from './pod-session.ts';
import { allTerminated, pollStatus } from './poll.ts';

describeDocker('the HTTP contract, over TCP and over a unix socket', () => {
  const plugins = {
    tcp: usePlugin({ listen: 'tcp', args: ['--body-limit', '200000'] }),
    unix: usePlugin({ listen: 'unix' }),
  };

  describe.each(['tcp', 'unix'] as const)('over %s', (kind) => {
    const plugin = () => plugins[kind];

    it('answers the ping (GET /status with []) with this host’s capacity', async () => {
      const res = await plugin().request('GET', '/status', []);
      expect(res.status).toBe(200);
      const ping = res.json();
      expect(Number(ping.resources.cpu)).toBeGreaterThan(0);
      expect(ping.resources.memory).toMatch(/^\d+Ki$/);
      expect(ping.resources.pods).toBe('110');
    });

    it('reads the JSON body of GET /status and GET /getLogs', async () => {
      const pod = buildPod({ containers: [{ name: 'talker', command: ['echo', `via-${kind}`] }] });
      const { PodJID } = (await plugin().request('POST', '/create', buildCreateRequest(pod))).json();
      const status = await pollStatus(plugin(), pod, PodJID, allTerminated);
      expect(status.UID).toBe(pod.metadata.uid);
      const logs = await plugin().request('GET', '/getLogs', logsRequest(pod, 'talker'));
      expect(logs.text).toBe(`via-${kind}\n`);
      await plugin().request('POST', '/delete', deleteRequest(pod));
    });
  });

  const plugin = () => plugins.tcp as RunningPlugin;

  it('takes POST /status and POST /getLogs as the GETs, and an empty ContainerName only when the pod has one container', async () => {
    const pod = buildPod({
      restartPolicy: 'Never',
      containers: [
        { name: 'left', command: ['echo', 'from-left'] },
        { name: 'right', command: ['echo', 'from-right'] },
      ],
    });
    const { PodJID } = (await plugin().request('POST', '/create', buildCreateRequest(pod))).json();
    await pollStatus(plugin(), pod, PodJID, allTerminated);
    const viaPost = await plugin().request('POST', '/status', statusRequest(pod, PodJID));
    expect(viaPost.status).toBe(200);
    expect(viaPost.json()[0].containers.map((c: { name: string }) => c.name)).toEqual(['left', 'right']);
    expect((await plugin().request('POST', '/getLogs', logsRequest(pod, 'right'))).text).toBe('from-right\n');
    const ambiguous = await plugin().request('GET', '/getLogs', logsRequest(pod, ''));
    expect(ambiguous.status).toBe(400);
    expect(ambiguous.text).toMatch(/ContainerName is empty .* name one of left, right/);
    await plugin().request('POST', '/delete', deleteRequest(pod));
  });

  it('refuses a log request interLink 0.6.2 would refuse: PodUID not a UUID, names not DNS labels', async () => {
    const pod = buildPod();
    for (const [field, value] of [
      ['PodUID', 'not-a-uuid'],
      ['Namespace', 'Team_A'],
      ['ContainerName', 'Main'],
    ] as const) {
      const res = await plugin().request(
        'GET',
        '/getLogs',
        { ...logsRequest(pod, 'main'), [field]: value },
        JSON_ERRORS,
      );
      expect(res.status).toBe(422);
      expect(res.json().details[0].field).toBe(`/${field}`);
    }
  });

  it.each(BAD_CREATE_BODIES)(
    'refuses %s with 422 naming the field, and creates nothing',
    async (_name, spoil, field, problem) => {
      const pod = buildPod();
      const body = buildCreateRequest(pod);
      spoil(body);
      const res = await plugin().request('POST', '/create', body, JSON_ERRORS);
      expect(res.status).toBe(422);
      const error = res.json();
      expect(error.status).toBe(422);
      expect(error.details).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ field, problem: expect.stringContaining(problem) }),
        ]),
      );
      expect(error.error).toContain(field);
      expect(await dockerPs([`${LABEL.podUid}=${pod.metadata.uid}`])).toEqual([]);
    },
  );

  it('answers a refusal as one plain sentence naming the field and what to do when the client sends no Accept, as interLink', async () => {
    const pod = buildPod();
    const body = buildCreateRequest(pod);
    (body.pod.spec?.containers[0] as { name: string }).name = 'Bad_Name';
    const res = await plugin().request('POST', '/create', body);
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    // interLink HTML-escapes the body into the pod's status.message: no quotes, one line.
    expect(res.text).not.toMatch(/["'<>\n]/);
    expect(res.text).toMatch(
      /^The pod was not created: spec\.containers\[0\]\.name must match .*\. Correct that field of the pod and create it again\.$/,
    );
    expect(await dockerPs([`${LABEL.podUid}=${pod.metadata.uid}`])).toEqual([]);
  });

  it('refuses a body that is not JSON with 422', async () => {
    const res = await plugin().request('POST', '/create', '{"pod": ', JSON_ERRORS);
    expect(res.status).toBe(422);
    expect(res.json().error).toMatch(/not valid JSON/);
  });

  it('refuses a body over the limit with 413, GET bodies too', async () => {
    const big = [{ metadata: { name: 'x', uid: 'y', annotations: { pad: 'x'.repeat(300_000) } } }];
    const res = await plugin().request('GET', '/status', big, JSON_ERRORS);
    expect(res.status).toBe(413);
    expect(res.json().error).toMatch(/larger than the limit of 200000 bytes/);
  });

  it('answers 404 with a clear message for the logs of an unknown pod or container', async () => {
    const unknown = await plugin().request(
      'GET',
      '/getLogs',
      logsRequest(buildPod(), 'greeter'),
      JSON_ERRORS,
    );
    expect(unknown.status).toBe(404);
    expect(unknown.json().error).toMatch(/is not known to this plugin/);

    const pod = buildPod({ containers: [{ name: 'only', command: ['true'] }] });
    await plugin().request('POST', '/create', buildCreateRequest(pod));
    const wrong = await plugin().request('GET', '/getLogs', logsRequest(pod, 'other'), JSON_ERRORS);
    expect(wrong.status).toBe(404);
    expect(wrong.json().error).toMatch(/container other is not in pod .* \(containers: only\)/);
    await plugin().request('POST', '/delete', deleteRequest(pod));
  });

  it('answers 200 to the delete of a pod it never had', async () => {
    const res = await plugin().request('POST', '/delete', deleteRequest(buildPod()));
    expect(res.status).toBe(200);
  });

  it('puts the InterLink-Http-Session on every log line of a request', async () => {
    const body = buildCreateRequest(buildPod());
    delete (body.pod.metadata as { uid?: string }).uid;
    await plugin().request('POST', '/create', body, { 'InterLink-Http-Session': 'Request-4242' });
    await plugin().waitForLog(/Request-4242.*"status":422/);
    const lines = plugin()
      .logs()
      .split('\n')
      .filter((l) => l.includes('Request-4242'))
      .map((l) => JSON.parse(l));
    // The refusal and the access line, both tagged with the session.
    expect(lines.map((l) => l.session)).toEqual(['Request-4242', 'Request-4242']);
    expect(lines[0].msg).toMatch(/metadata\/uid/);
  });
});

describeDocker('restarts', () => {
  afterAll(stopAll);

  it('finds its pods again from Docker labels after a restart: status, logs and delete still work', async () => {
    const first = await startPlugin();
    const pod = buildPod({
      containers: [{ name: 'survivor', command: ['sh', '-c', 'echo before-restart; exit 5'] }],
    });
    const { PodJID } = (await first.request('POST', '/create', buildCreateRequest(pod))).json();
    await pollStatus(first, pod, PodJID, allTerminated);
    expect(await first.stop('SIGTERM')).toBe(0);

    const second = await startPlugin({ instance: first.instance, stateDir: first.stateDir });
    const [status] = (await second.request('GET', '/status', statusRequest(pod, PodJID))).json();
    expect(status.JID).toBe(PodJID);
    expect(status.containers[0].state.terminated).toMatchObject({ exitCode: 5, reason: 'Error' });
    expect((await second.request('GET', '/getLogs', logsRequest(pod, 'survivor'))).text).toBe(
      'before-restart\n',
    );
    expect((await second.request('POST', '/create', buildCreateRequest(pod))).json()).toEqual({
      PodUID: pod.metadata.uid,
      PodJID,
    });
    expect((await second.request('POST', '/delete', deleteRequest(pod))).status).toBe(200);
    expect(await dockerPs([`${LABEL.podUid}=${pod.metadata.uid}`])).toEqual([]);
  });

  it('exits 0 on SIGTERM after finishing the request in flight', async () => {
    const plugin = await startPlugin();
    const pod = buildPod({
      // It marks the SIGTERM of the delete, then takes 3 s to stop: the delete is surely in flight.
      containers: [
        {
          name: 'slow',
          command: ['sh', '-c', 'trap "touch /tmp/term; sleep 3; exit 0" TERM; while true; do sleep 1; done'],
        },
      ],
      terminationGracePeriodSeconds: 30,
    });
    const { PodJID } = (await plugin.request('POST', '/create', buildCreateRequest(pod))).json();
    await pollStatus(plugin, pod, PodJID, (s) => s.containers[0]?.state.running !== undefined);
    const [id] = await dockerPs([`${LABEL.podUid}=${pod.metadata.uid}`, `${LABEL.role}=main`]);
    const inFlight = plugin.request('POST', '/delete', deleteRequest(pod));
    // 60 s only guards against waiting forever.
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
      const marked = await runDocker(['exec', id as string, 'test', '-e', '/tmp/term']).then(
        () => true,
        () => false,
      );
      if (marked) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const exit = plugin.stop('SIGTERM');
    expect((await inFlight).status).toBe(200);
    expect(await exit).toBe(0);
  });
});
