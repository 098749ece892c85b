/** A container's environment as a Kubernetes user sees it from inside. */
import { expect, it } from 'vitest';
import type { EnvVar } from '../../src/contract/api-types.ts';
import { buildConfigMap, buildPod, buildSecret } from '../fixtures/pod-builder.ts';
import { describeDocker } from '../helpers/docker.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import { createPod, deletePod, logsOf, runToEnd } from './pod-session.ts';
import { pollStatus } from './poll.ts';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** A script printing `NAME base64(value)` per variable: byte-exact through the log. */
const printEnv = (names: string[]) =>
  names.map((n) => `echo "${n} $(printf %s "$${n}" | base64 | tr -d '\\n')"`).join('; ');

const expectedLines = (values: Record<string, string>) =>
  `${Object.entries(values)
    .map(([n, v]) => `${n} ${b64(v)}`)
    .join('\n')}\n`;

describeDocker('container environment', () => {
  const plugin = usePlugin();

  it('passes values the Virtual Kubelet resolved byte for byte, $(VAR) included', async () => {
    const values: Record<string, string> = {
      QUOTES: `it's "quoted" and \\backslashed\\`,
      NEWLINES: 'line one\nline two\n\n',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: shell syntax the plugin must pass on untouched
      DOLLARS: '$HOME $$ ${PATH} $1',
      BACKTICKS: '`id` $(id) ; rm -rf / #',
      UNICODE: 'héllo wörld ✓ 日本 😀',
      // Already expanded by the Virtual Kubelet: the plugin must not expand again.
      REFERENCE: '$(OTHER)',
      ESCAPED: '$$(OTHER)',
      OTHER: 'other',
      SPACES: '  leading and trailing  ',
    };
    const env: EnvVar[] = Object.entries(values).map(([name, value]) => ({ name, value }));
    const pod = buildPod({
      containers: [{ name: 'app', command: ['sh', '-c', printEnv(Object.keys(values))], env }],
    });
    const { logs } = await runToEnd(plugin, pod);
    expect(logs.app).toBe(expectedLines(values));
    await deletePod(plugin, pod);
  });

  it('defines a variable that arrives without a value as the empty string', async () => {
    const pod = buildPod({
      containers: [
        {
          name: 'app',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion
          command: ['sh', '-c', 'env | grep "^EMPTY="; echo "set:${EMPTY+yes} len:${#EMPTY}"'],
          env: [{ name: 'EMPTY', value: '' }],
        },
      ],
    });
    // The Go encoder drops an empty value: the entry arrives as {"name": "EMPTY"}.
    expect(pod.spec?.containers[0]?.env?.[0]).toEqual({ name: 'EMPTY' });
    const { logs } = await runToEnd(plugin, pod);
    expect(logs.app).toBe('EMPTY=\nset:yes len:0\n');
    await deletePod(plugin, pod);
  });

  it('resolves valueFrom that arrives unresolved: configMap, secret, pod fields and resources', async () => {
    const cm = buildConfigMap('settings', { color: 'blue', greeting: 'hi there\n' });
    const secret = buildSecret('creds', { password: 's3cr3t $(not-expanded)' });
    const pod = buildPod({
      labels: { app: 'demo', tier: 'web' },
      containers: [
        {
          name: 'app',
          resources: { limits: { memory: '32Mi', cpu: '500m' } },
          env: [
            { name: 'COLOR', valueFrom: { configMapKeyRef: { name: 'settings', key: 'color' } } },
            { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'settings', key: 'greeting' } } },
            { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
            { name: 'POD_UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
            { name: 'POD_LABELS', valueFrom: { fieldRef: { fieldPath: 'metadata.labels' } } },
            { name: 'APP_LABEL', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
            { name: 'MEMORY_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.memory' } } },
            {
              name: 'MEMORY_LIMIT_MI',
              valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } },
            },
            {
              name: 'CPU_LIMIT_MILLI',
              valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } },
            },
            // With unresolved references the plugin does the kubelet's $(VAR) expansion too.
            { name: 'SENTENCE', value: 'the color is $(COLOR), not $$(COLOR)' },
          ],
        },
      ],
    });
    const container = pod.spec?.containers[0];
    if (container) {
      container.command = [
        'sh',
        '-c',
        printEnv((container.env ?? []).map((e) => e.name).filter((n) => !n.startsWith('KUBERNETES_'))),
      ];
    }
    const { logs } = await runToEnd(plugin, pod, {
      perContainer: { app: { configMaps: [cm], secrets: [secret] } },
    });
    expect(logs.app).toBe(
      expectedLines({
        COLOR: 'blue',
        GREETING: 'hi there\n',
        PASSWORD: 's3cr3t $(not-expanded)',
        POD_NAME: pod.metadata.name,
        POD_NAMESPACE: 'default',
        POD_UID: pod.metadata.uid,
        POD_LABELS: 'app="demo"\ntier="web"',
        APP_LABEL: 'demo',
        MEMORY_LIMIT: String(32 * 1024 * 1024),
        MEMORY_LIMIT_MI: '32',
        CPU_LIMIT_MILLI: '500',
        SENTENCE: 'the color is blue, not $(COLOR)',
      }),
    );
    await deletePod(plugin, pod);
  });

  it('expands $(VAR) in command and args from the container’s env, as Kubernetes does', async () => {
    const pod = buildPod({
      containers: [
        {
          name: 'app',
          command: ['echo', '$(GREETING)'],
          args: ['$(TARGET)!', '$$(GREETING)', '$(UNDEFINED)', '$GREETING'],
          env: [
            { name: 'GREETING', value: 'hello' },
            { name: 'TARGET', value: 'world' },
          ],
        },
      ],
    });
    const { logs } = await runToEnd(plugin, pod);
    expect(logs.app).toBe('hello world! $(GREETING) $(UNDEFINED) $GREETING\n');
    await deletePod(plugin, pod);
  });

  it.each<[string, EnvVar, string]>([
    [
      'a key the secret does not have',
      { name: 'X', valueFrom: { secretKeyRef: { name: 'creds', key: 'nope' } } },
      "couldn't find key nope in Secret default/creds",
    ],
    [
      'a secret that was not sent',
      { name: 'X', valueFrom: { secretKeyRef: { name: 'absent', key: 'k' } } },
      'secret "absent" not found',
    ],
    [
      'a key the configMap does not have',
      { name: 'X', valueFrom: { configMapKeyRef: { name: 'settings', key: 'nope' } } },
      "couldn't find key nope in ConfigMap default/settings",
    ],
  ])(
    'keeps a container waiting with CreateContainerConfigError for %s, while the others run',
    async (_label, ref, message) => {
      const pod = buildPod({
        containers: [
          { name: 'broken', command: ['echo', 'must not run'], env: [ref] },
          { name: 'fine', command: ['echo', 'fine'] },
        ],
      });
      const jid = await createPod(plugin, pod, {
        perContainer: {
          broken: {
            configMaps: [buildConfigMap('settings', { color: 'blue' })],
            secrets: [buildSecret('creds', { password: 'x' })],
          },
        },
      });
      const status = await pollStatus(
        plugin,
        pod,
        jid,
        (s) => s.containers[1]?.state.terminated !== undefined,
      );
      expect(status.containers[0]?.state).toEqual({
        waiting: { reason: 'CreateContainerConfigError', message: expect.stringContaining(message) },
      });
      expect(status.containers[1]?.state.terminated).toMatchObject({ exitCode: 0 });
      expect(await logsOf(plugin, pod, 'fine')).toBe('fine\n');
      await deletePod(plugin, pod, jid);
    },
  );

  it('leaves out a variable whose optional reference is missing', async () => {
    const pod = buildPod({
      containers: [
        {
          name: 'app',
          command: [
            'sh',
            '-c',
            // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion
            'env | grep -c "^OPT_" ; echo "${OPT_KEY-unset} ${OPT_SECRET-unset} ${OPT_CM-unset} $PRESENT"',
          ],
          env: [
            { name: 'OPT_KEY', valueFrom: { secretKeyRef: { name: 'creds', key: 'nope', optional: true } } },
            { name: 'OPT_SECRET', valueFrom: { secretKeyRef: { name: 'absent', key: 'k', optional: true } } },
            { name: 'OPT_CM', valueFrom: { configMapKeyRef: { name: 'absent', key: 'k', optional: true } } },
            { name: 'PRESENT', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
          ],
        },
      ],
    });
    const { status, logs } = await runToEnd(plugin, pod, {
      perContainer: { app: { secrets: [buildSecret('creds', { password: 'here' })] } },
    });
    expect(status.containers[0]?.state.terminated?.exitCode).toBe(0);
    expect(logs.app).toBe('0\nunset unset unset here\n');
    await deletePod(plugin, pod);
  });
});
