import { describe, expect, it } from 'vitest';
import { CI_EXCLUSIONS } from '../../src/conformance/ci-exclusions.ts';
import { parseCli } from '../../src/conformance/cli-options.ts';

describe('parseCli', () => {
  it('reads a full run command', () => {
    const command = parseCli([
      '--url',
      'http://127.0.0.1:4000',
      '--only',
      'ping,exit-zero',
      '--only',
      'exit-code',
      '--skip',
      'quoting',
      '--timeout',
      '30',
      '--parallel',
      '2',
      '--poll-interval',
      '0.5',
      '--image-map',
      'busybox:1.36=registry.local/busybox:1.36',
      '--header',
      'Authorization: Bearer abc',
      '--json',
      'out.json',
      '--junit',
      'out.xml',
    ]);
    expect(command).toEqual({
      kind: 'run',
      json: 'out.json',
      junit: 'out.xml',
      options: {
        target: { baseUrl: 'http://127.0.0.1:4000' },
        only: ['ping', 'exit-zero', 'exit-code'],
        skip: { quoting: 'left out by --skip' },
        timeoutSeconds: 30,
        parallel: 2,
        pollIntervalSeconds: 0.5,
        imageMap: { 'busybox:1.36': 'registry.local/busybox:1.36' },
        headers: { Authorization: 'Bearer abc' },
      },
    });
  });

  it.each([
    ['a unix URL as interLink writes it', ['--url', 'unix:///run/p.sock'], { socketPath: '/run/p.sock' }],
    ['a socket path', ['--socket', '/run/p.sock'], { socketPath: '/run/p.sock' }],
  ])('targets %s', (_name, argv, target) => {
    const command = parseCli(argv);
    expect(command.kind === 'run' && command.options.target).toEqual(target);
  });

  it('turns --ci-exclusions into skips that carry their reasons', () => {
    const command = parseCli(['--url', 'http://h:1', '--ci-exclusions']);
    const want = Object.fromEntries(
      Object.entries(CI_EXCLUSIONS).map(([id, why]) => [id, `CI exclusion: ${why}`]),
    );
    expect(command.kind === 'run' && command.options.skip).toEqual(want);
  });

  it('turns --engine rootless-cgroup-v1 into skips that say what that engine cannot do', () => {
    const command = parseCli(['--url', 'http://h:1', '--engine', 'rootless-cgroup-v1']);
    const skip = (command.kind === 'run' ? command.options.skip : undefined) as Record<string, string>;
    expect(Object.keys(skip).sort()).toEqual(['exit-137-not-oom', 'oom-killed']);
    expect(skip['oom-killed']).toMatch(
      /^cannot pass on rootless-cgroup-v1: rootless Podman on cgroup v1 cannot apply a memory limit/,
    );
  });

  it.each([
    [
      'an engine with no exclusions known',
      ['--url', 'http://h:1', '--engine', 'moby'],
      /--engine must be one of rootless-cgroup-v1/,
    ],
    ['no target', [], /exactly one of --url and --socket/],
    ['two targets', ['--url', 'http://h:1', '--socket', '/s'], /exactly one of --url and --socket/],
    ['a URL without scheme', ['--url', 'localhost:4000'], /--url must look like/],
    ['a zero timeout', ['--url', 'http://h:1', '--timeout', '0'], /--timeout must be a positive number/],
    [
      'a fractional --parallel',
      ['--url', 'http://h:1', '--parallel', '1.5'],
      /--parallel must be a positive integer/,
    ],
    [
      'an image map without =',
      ['--url', 'http://h:1', '--image-map', 'busybox'],
      /--image-map wants FROM=TO/,
    ],
    ['an unknown flag', ['--url', 'http://h:1', '--fast'], /Unknown option '--fast'/],
  ])('refuses %s', (_name, argv, message) => {
    expect(() => parseCli(argv)).toThrow(message);
  });

  it('lists scenarios, as markdown on request', () => {
    expect(parseCli(['--list', '--markdown'])).toEqual({ kind: 'list', markdown: true });
  });
});
