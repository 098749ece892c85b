/** A container's docker command: its env file lives only while docker runs, and no value is in its argv. */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DockerCli,
  DockerCliError,
  type RunOptions,
  type RunResult,
} from '../../../src/docker/engine/docker-cli.ts';
import { cliEngine } from '../../../src/docker/engine/engine.ts';
import { ENGINE_TRAITS, type EngineFlavour } from '../../../src/docker/engine/engine-kind.ts';
import type { StartFailure } from '../../../src/docker/engine/start-failure.ts';
import {
  envFilePath,
  runContainerCommand,
  withoutEnvValues,
  withoutProbeLabels,
} from '../../../src/docker/lifecycle/container-command.ts';
import { planEnvDelivery } from '../../../src/docker/translate/env-delivery.ts';
import { planLabelFile } from '../../../src/docker/translate/label-file.ts';

/** Records what docker was handed, and the env file as docker would have read it. */
class RecordingCli extends DockerCli {
  seen: { args: readonly string[]; env?: Record<string, string>; file?: { mode: number; text: string } }[] =
    [];
  override run(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const path = args[args.indexOf('--env-file') + 1];
    const file =
      args.includes('--env-file') && path
        ? { mode: statSync(path).mode & 0o777, text: readFileSync(path, 'utf8') }
        : undefined;
    this.seen.push({ args, ...(options.env ? { env: options.env } : {}), ...(file ? { file } : {}) });
    return Promise.resolve({ stdout: 'id\n', stderr: '' });
  }
}

const state = mkdtempSync(join(tmpdir(), 'container-command-'));
afterAll(() => rmSync(state, { recursive: true, force: true }));

describe('runContainerCommand', () => {
  it('writes the env file 0600 for docker, gives the rest in its environment, and removes the file', async () => {
    const docker = new RecordingCli();
    const path = envFilePath(state, 'uid-1', 'main', 'app');
    const env = planEnvDelivery(
      [
        ['A', 'one'],
        ['KEY', 'line\nline'],
      ],
      path,
      new Set(),
    );
    await runContainerCommand(cliEngine(docker), { argv: ['create', ...env.args, '--', 'busybox'], env });
    expect(docker.seen).toEqual([
      {
        args: ['create', '--env-file', path, '--env', 'KEY', '--', 'busybox'],
        env: { KEY: 'line\nline' },
        file: { mode: 0o600, text: expect.stringContaining('\nA=one\n') },
      },
    ]);
    expect(existsSync(path)).toBe(false);
  });

  it('removes the env file when docker fails too', async () => {
    const docker = new (class extends DockerCli {
      override run(): Promise<RunResult> {
        return Promise.reject(new Error('refused'));
      }
    })();
    const path = envFilePath(state, 'uid-2', 'main', 'app');
    const env = planEnvDelivery([['A', 'one']], path, new Set());
    await expect(
      runContainerCommand(cliEngine(docker), { argv: ['create', ...env.args], env }),
    ).rejects.toThrow('refused');
    expect(existsSync(path)).toBe(false);
  });
});

describe('runContainerCommand with a label file', () => {
  it('writes the label file 0600 beside the env file for docker, and removes both, also when docker fails', async () => {
    const seen: Array<{ mode: number; text: string }> = [];
    const docker = new (class extends DockerCli {
      override run(args: readonly string[]): Promise<RunResult> {
        const path = args[args.indexOf('--label-file') + 1] as string;
        seen.push({ mode: statSync(path).mode & 0o777, text: readFileSync(path, 'utf8') });
        return Promise.reject(new Error('refused'));
      }
    })();
    const envPath = envFilePath(state, 'uid-9', 'main', 'app');
    const env = planEnvDelivery([['A', 'one']], envPath, new Set());
    const labels = planLabelFile(
      [['io.interlink.container.probes', '{"h":"Bearer x"}']],
      `${envPath}.labels`,
    );
    if (!labels) throw new Error('no label file planned');
    const argv = ['create', ...env.args, '--label-file', labels.path, '--', 'busybox'];
    await expect(runContainerCommand(cliEngine(docker), { argv, env, labels })).rejects.toThrow('refused');
    expect(seen).toEqual([{ mode: 0o600, text: labels.text }]);
    expect(existsSync(labels.path)).toBe(false);
    expect(existsSync(envPath)).toBe(false);
  });
});

describe('withoutEnvValues (a pending.json written before env left the argv)', () => {
  it('moves --env NAME=VALUE out of the argv, before the image only', () => {
    const path = envFilePath(state, 'uid-3', 'pending', 'app');
    const moved = withoutEnvValues(
      { argv: ['create', '--env', 'A=x=y', '-e', 'K=a\nb', '--name', 'n', '--', 'img', '--env', 'ARG=1'] },
      path,
    );
    expect(moved.argv).toEqual([
      'create',
      '--name',
      'n',
      '--env-file',
      path,
      '--env',
      'K',
      '--',
      'img',
      '--env',
      'ARG=1',
    ]);
    expect(moved.env?.cliEnv).toEqual({ K: 'a\nb' });
    expect(moved.env?.file?.text).toContain('\nA=x=y\n');
  });
});

describe('withoutProbeLabels (a pending.json written before probes left the argv)', () => {
  const key = 'io.interlink.container.probes';
  const probes =
    '{"readinessProbe":{"httpGet":{"httpHeaders":[{"name":"Authorization","value":"Bearer t0k"}]}}}';
  it('moves the probes label, and its blank that would win over the file, into a label file', () => {
    const path = `${envFilePath(state, 'uid-4', 'pending', 'app')}.labels`;
    const moved = withoutProbeLabels(
      {
        argv: [
          'create',
          '--label',
          `${key}=`,
          '--label',
          'a=b',
          '--label',
          `${key}=${probes}`,
          '--',
          'img',
          '--label',
          `${key}=x`,
        ],
        env: { args: [], cliEnv: {} },
      },
      path,
    );
    expect(moved.argv).toEqual([
      'create',
      '--label',
      'a=b',
      '--label-file',
      path,
      '--',
      'img',
      '--label',
      `${key}=x`,
    ]);
    expect(moved.labels?.text).toContain(`\n${key}=${probes}\n`);
    expect(moved.env).toEqual({ args: [], cliEnv: {} });
  });
  it('leaves a command with no probes, or one already with a label file, as it is', () => {
    const blank = { argv: ['create', '--label', `${key}=`, '--', 'img'] };
    expect(withoutProbeLabels(blank, '/x.labels')).toBe(blank);
    const filed = { argv: ['create', '--label-file', '/y.labels', '--', 'img'] };
    expect(withoutProbeLabels(filed, '/x.labels')).toBe(filed);
  });
});

describe('a `run -d` that made its container but could not start it', () => {
  const stderr =
    'Error response from daemon: runc: exec: "nope": executable file not found in $PATH\nError: failed to start containers: k8s_app\n';
  /** An engine whose `run -d` fails after making container "made-id", as both engines do. */
  const engine = (flavour: EngineFlavour) => ({
    traits: ENGINE_TRAITS[flavour],
    environmentNames: () => new Set<string>(),
    makeContainer: () => Promise.reject(new DockerCliError('docker run', 127, stderr)),
    containerIdByName: async (name: string) => (name === 'k8s_app' ? 'made-id' : undefined),
  });

  it.each([
    ['Podman, which keeps no reason in the container', 'podman', [['made-id', { exitCode: 127 }]]],
    ["Docker, whose container's state has the reason", 'docker', []],
  ] as const)('tells the view why on %s', async (_name, flavour, want) => {
    const noted: Array<[string, StartFailure]> = [];
    const command = { argv: ['run', '-d', '--name', 'k8s_app', 'busybox:1.36', 'nope'] };
    await expect(
      runContainerCommand(engine(flavour), command, { note: (id, f) => noted.push([id, f]) }),
    ).rejects.toBeInstanceOf(DockerCliError);
    expect(noted).toMatchObject(want);
  });
});
