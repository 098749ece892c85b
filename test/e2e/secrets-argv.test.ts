/**
 * Issue 15, attacks 4 and 6, against the real engine. Every local user reads a process's argv
 * (/proc/<pid>/cmdline): the plugin's docker binary is a wrapper that records each call's argv,
 * and the mode of any env file it is handed, before it runs the real docker. No Secret value (nor
 * any env value) may be in any argv, the env file is the plugin's user's alone and is gone once
 * the container is made, and each variable still reads exactly its value inside the container.
 * And a 500 carries no host internals in its body, only a session to find them in the log.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { EnvVar, PodStatus } from '../../src/contract/api-types.ts';
import { LABEL } from '../../src/docker/labels.ts';
import { podStateDir } from '../../src/pod/volume-plan.ts';
import { buildCreateRequest, buildPod, buildSecret } from '../fixtures/pod-builder.ts';
import { describeDocker, runDocker } from '../helpers/docker.ts';
import { startPlugin } from '../helpers/plugin-process.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import {
  createPod,
  deletePod,
  expectRefusal,
  JSON_ERRORS,
  logsOf,
  podContainerIds,
  runToEnd,
} from './pod-session.ts';
import { allTerminated, pollStatus } from './poll.ts';

const secretValue = (what: string) => `${what}-${randomBytes(8).toString('hex')}`;
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
/** Prints `NAME base64(value)` per variable: byte-exact through the log. */
const printEnv = (names: string[]) =>
  names.map((n) => `echo "${n} $(printf %s "$${n}" | base64 | tr -d '\\n')"`).join('; ');
const expectedLines = (values: Record<string, string>) =>
  `${Object.entries(values)
    .map(([n, v]) => `${n} ${b64(v)}`)
    .join('\n')}\n`;

describeDocker('secrets off the command line (a docker wrapper records every argv)', () => {
  const records = mkdtempSync(join(tmpdir(), 'argv-records-'));
  const wrapper = join(records, 'docker-wrapper.sh');
  const tagged: string[] = [];
  // Registered before usePlugin, so it runs after its stopAll (vitest runs after-hooks as a stack).
  afterAll(async () => {
    for (const image of tagged) await runDocker(['rmi', image]).catch(() => {});
    rmSync(records, { recursive: true, force: true });
  });
  const plugin = usePlugin(() => {
    const realDocker = execFileSync('sh', ['-c', 'command -v docker'], { encoding: 'utf8' }).trim();
    writeFileSync(
      wrapper,
      [
        '#!/bin/sh',
        // Each call: its argv, NUL-separated; for an env file, its mode and owner as docker reads it.
        `f=$(mktemp '${records}/call.XXXXXXXX')`,
        `for a in "$@"; do printf '%s\\0' "$a"; done > "$f"`,
        'prev=',
        `for a in "$@"; do [ "$prev" = --env-file ] && stat -c '%a %u' "$a" >> "$f.envfile"; prev=$a; done`,
        // For a label file, its mode and owner and its text as docker reads it.
        `for a in "$@"; do [ "$prev" = --label-file ] && stat -c '%a %u' "$a" >> "$f.labelfile" && cat "$a" >> "$f.labeltext"; prev=$a; done`,
        // A sandbox of a pod named "boom-*" fails as a daemon refusal naming host paths would.
        `case "$*" in *--name\\ k8s_default_boom-*_sandbox*) echo "docker: Error response from daemon: mkdir /var/lib/docker/overlay2/x: read-only file system at ${records}" >&2; exit 125;; esac`,
        `exec '${realDocker}' "$@"`,
        '',
      ].join('\n'),
    );
    chmodSync(wrapper, 0o755);
    return { args: ['--docker', wrapper, '--image-pull-backoff', '1'] };
  });

  /** Every argv the wrapper recorded so far. */
  const recordedArgvs = () =>
    readdirSync(records)
      .filter((f) => /^call\.\w+$/.test(f))
      .map((f) => readFileSync(join(records, f), 'utf8').split('\0'));
  const envFileModes = () =>
    readdirSync(records)
      .filter((f) => f.endsWith('.envfile'))
      .flatMap((f) => readFileSync(join(records, f), 'utf8').trim().split('\n'));
  const recorded = (suffix: string) =>
    readdirSync(records)
      .filter((f) => f.endsWith(suffix))
      .map((f) => readFileSync(join(records, f), 'utf8'));
  const envFilesLeft = (uid: string) => {
    const dir = join(podStateDir(plugin.stateDir, uid), 'env');
    return existsSync(dir) ? readdirSync(dir) : [];
  };
  const expectInNoArgv = (values: string[]) => {
    const argvs = recordedArgvs();
    expect(argvs.length).toBeGreaterThan(0);
    for (const value of values)
      for (const line of value.split(/\r?\n/).filter((l) => l.length > 0))
        expect(argvs.filter((argv) => argv.some((a) => a.includes(line)))).toEqual([]);
  };

  it('puts no Secret or env value into any docker argv, and each variable reads exactly its value', async () => {
    const password = secretValue('password');
    const pem = `-----BEGIN PRIVATE KEY-----\n${secretValue('pem')}\n${secretValue('pem2')}\n-----END PRIVATE KEY-----\n`;
    const apiKey = secretValue('apikey');
    const secret = buildSecret('creds', { password, pem, apikey: apiKey });
    const values: Record<string, string> = {
      PASSWORD: password,
      TLS_KEY: pem,
      PLAIN: secretValue('plain'),
      MULTI: `first ${secretValue('multi')}\n  second\n\n`,
      DOCKER_HOST: `tcp://${secretValue('dockerhost')}.invalid:2375`,
      HOME: `/home/${secretValue('home')}`,
      QUOTED: `"${secretValue('quoted')}"`,
      TRAILING_CR: `${secretValue('cr')}\r`,
      password,
      pem,
      apikey: apiKey,
    };
    const env: EnvVar[] = [
      { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
      { name: 'TLS_KEY', valueFrom: { secretKeyRef: { name: 'creds', key: 'pem' } } },
      ...['PLAIN', 'MULTI', 'DOCKER_HOST', 'HOME', 'QUOTED', 'TRAILING_CR'].map((name) => ({
        name,
        value: values[name] as string,
      })),
    ];
    const pod = buildPod({
      containers: [
        {
          name: 'app',
          command: ['sh', '-c', printEnv(Object.keys(values))],
          env,
          envFrom: [{ secretRef: { name: 'creds' } }],
        },
      ],
    });
    const { logs } = await runToEnd(plugin, pod, { perContainer: { app: { secrets: [secret] } } });
    expect(logs.app).toBe(expectedLines(values));
    expectInNoArgv(Object.values(values));
    // The env file was there for docker, readable by the plugin's user only; it is gone now.
    expect(envFileModes().length).toBeGreaterThan(0);
    for (const mode of envFileModes()) expect(mode).toBe(`600 ${process.getuid?.()}`);
    expect(envFilesLeft(pod.metadata.uid)).toEqual([]);
    await deletePod(plugin, pod);
  });

  it("keeps an httpGet probe's Authorization header out of every docker argv, and the probe still sends it", async () => {
    const token = secretValue('bearer');
    // Answers 200 only to a request carrying "Authorization: Bearer $TOKEN" (TOKEN comes by the env file).
    const handler = [
      'ok=no',
      'while read -r line; do',
      '  line=$(printf %s "$line" | tr -d "\r")',
      '  [ -z "$line" ] && break',
      '  [ "$line" = "Authorization: Bearer $TOKEN" ] && ok=yes',
      'done',
      'if [ $ok = yes ]; then printf "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"',
      'else printf "HTTP/1.0 401 Unauthorized\r\nContent-Length: 0\r\n\r\n"; fi',
    ].join('\n');
    const server = (name: string, port: number, bearer: string) => ({
      name,
      command: [
        'sh',
        '-c',
        `cat > /tmp/h.sh <<'EOF'\n${handler}\nEOF\ntrap 'exit 0' TERM; nc -ll -p ${port} -e sh /tmp/h.sh & wait`,
      ],
      env: [{ name: 'TOKEN', value: token }],
      readinessProbe: {
        httpGet: { path: '/', port, httpHeaders: [{ name: 'Authorization', value: `Bearer ${bearer}` }] },
        periodSeconds: 1,
      },
    });
    // The same server probed with another token: it stays unready, so readiness is the header's doing.
    const pod = buildPod({ containers: [server('right', 8080, token), server('wrong', 8081, 'not-it')] });
    const jid = await createPod(plugin, pod);
    const byName = (s: PodStatus, name: string) => s.containers.find((c) => c.name === name);
    const ready = await pollStatus(plugin, pod, jid, (s) => byName(s, 'right')?.ready === true, 30_000);
    expect(byName(ready, 'wrong')?.state.running).toBeDefined();
    expect(byName(ready, 'wrong')?.ready).toBe(false);
    expectInNoArgv([token]);
    // The header went to docker in a label file, the plugin's user's alone, gone once the container was made.
    expect(recorded('.labeltext').join('')).toContain(`Bearer ${token}`);
    const modes = recorded('.labelfile').flatMap((t) => t.trim().split('\n'));
    expect(modes.length).toBe(2);
    for (const mode of modes) expect(mode).toBe(`600 ${process.getuid?.()}`);
    expect(envFilesLeft(pod.metadata.uid)).toEqual([]);
    // The label reads as an older plugin wrote it: the container's probes, as JSON.
    const [id] = await podContainerIds(pod, 'main');
    const label = await runDocker([
      'inspect',
      '--format',
      `{{index .Config.Labels "${LABEL.probes}"}}`,
      id as string,
    ]);
    expect(JSON.parse(label.stdout).readinessProbe.httpGet.httpHeaders[0].value).toMatch(/^Bearer /);
    await deletePod(plugin, pod, jid);
  });

  it('hands over names an env file would misread (leading space, space, #) exactly', async () => {
    // A shell drops such names from the environment it passes on: this one runs docker itself.
    const direct = await startPlugin();
    const values: Record<string, string> = {
      ' LEAD': secretValue('lead'),
      'A B': secretValue('space'),
      '#HASH': secretValue('hash'),
    };
    const pod = buildPod({
      containers: [
        {
          name: 'app',
          // The shell cannot name these variables: its own environment as execve gave it, NUL-separated.
          command: ['sh', '-c', "cat /proc/1/environ | base64 | tr -d '\\n'"],
          env: Object.entries(values).map(([name, value]) => ({ name, value })),
        },
      ],
    });
    const { logs } = await runToEnd(direct, pod);
    const environ = Buffer.from(logs.app ?? '', 'base64')
      .toString('utf8')
      .split('\0');
    // Each exactly its value; their order among themselves is Docker's (it varies between runs).
    expect(environ.filter((e) => /^(?: LEAD|A B|#HASH)=/.test(e)).sort()).toEqual(
      Object.entries(values)
        .map(([n, v]) => `${n}=${v}`)
        .sort(),
    );
    await deletePod(direct, pod);
  });

  it('keeps values out of the argv of a container made once its image arrives', async () => {
    const image = `localhost/secrets-argv-${randomBytes(4).toString('hex')}:1`;
    const token = secretValue('late');
    const pod = buildPod({
      containers: [
        {
          name: 'late',
          image,
          command: ['sh', '-c', printEnv(['TOKEN', 'KEY'])],
          env: [
            { name: 'TOKEN', value: token },
            { name: 'KEY', value: `a\n${token}-key\n` },
          ],
          // Its label file is written when the container is made, after the image arrived.
          readinessProbe: {
            httpGet: { port: 8080, httpHeaders: [{ name: 'Authorization', value: `Bearer ${token}` }] },
          },
        },
      ],
    });
    const jid = await createPod(plugin, pod);
    // No registry answers here: the pull fails until an operator loads the image by hand.
    await runDocker(['tag', 'busybox:1.36', image]);
    tagged.push(image);
    await pollStatus(plugin, pod, jid, allTerminated, 30_000);
    expect(await logsOf(plugin, pod, 'late')).toBe(expectedLines({ TOKEN: token, KEY: `a\n${token}-key\n` }));
    expectInNoArgv([token]);
    expect(envFilesLeft(pod.metadata.uid)).toEqual([]);
    await deletePod(plugin, pod);
    expect(existsSync(podStateDir(plugin.stateDir, pod.metadata.uid))).toBe(false);
  });

  it('refuses a value no env file can carry under a name that would steer the docker CLI', async () => {
    const pod = buildPod({
      containers: [{ name: 'app', env: [{ name: 'DOCKER_HOST', value: 'tcp://a\ntcp://b' }] }],
    });
    const res = await plugin.request('POST', '/create', buildCreateRequest(pod), JSON_ERRORS);
    const body = expectRefusal(res, 422);
    expect(body.details).toEqual([
      { field: '/pod/spec/containers/0/env', problem: expect.stringContaining('DOCKER_HOST') },
    ]);
  });

  it('refuses probes a label file cannot carry (a header over 64 KiB), naming the container', async () => {
    const readinessProbe = {
      httpGet: {
        port: 80,
        httpHeaders: [{ name: 'Authorization', value: `Bearer ${'x'.repeat(64 * 1024)}` }],
      },
    };
    const pod = buildPod({ containers: [{ name: 'app', readinessProbe }] });
    const res = await plugin.request('POST', '/create', buildCreateRequest(pod), JSON_ERRORS);
    const body = expectRefusal(res, 422);
    expect(body.details).toEqual([
      { field: '/pod/spec/containers/0', problem: expect.stringContaining('over 64 KiB') },
    ]);
    expect(await podContainerIds(pod)).toEqual([]);
  });

  it('answers a 500 with no host path, command line or stderr, and logs them under its session', async () => {
    const pod = buildPod({
      name: `boom-${randomBytes(3).toString('hex')}`,
      containers: [
        { name: 'a', command: ['true'] },
        { name: 'b', command: ['true'] },
      ],
    });
    const session = `secrets-argv-${randomBytes(4).toString('hex')}`;
    const res = await plugin.request('POST', '/create', buildCreateRequest(pod), {
      'InterLink-Http-Session': session,
    });
    expect(res.status).toBe(500);
    expect(res.text).toContain(session);
    for (const internal of [
      plugin.stateDir,
      records,
      '/var/lib',
      '/tmp/',
      'docker ',
      'Error response',
      'exit 125',
    ])
      expect(res.text).not.toContain(internal);
    const line = await plugin.waitForLog(new RegExp(`"level":"error".*"session":"${session}"`));
    expect(line).toContain('Error response from daemon: mkdir /var/lib/docker/overlay2/x');
    expect(line).toContain('--name k8s_default_boom-');
  });
});
