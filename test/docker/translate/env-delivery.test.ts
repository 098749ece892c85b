import { describe, expect, it } from 'vitest';
import {
  EnvDeliveryRefusal,
  envFileProblem,
  MAX_ENV_FILE_LINE_BYTES,
  planEnvDelivery,
} from '../../../src/docker/translate/env-delivery.ts';

const FILE = '/state/pods/u/env/main-app.env';
const NONE = new Set<string>();

describe('envFileProblem', () => {
  it.each([
    ['a plain value', 'A', 'x=y $(B) `c` #not-a-comment', undefined],
    ['an empty value', 'EMPTY', '', undefined],
    ['leading and trailing spaces in a value', 'S', '  two  ', undefined],
    ['a carriage return inside a value', 'CR', 'a\rb', undefined],
    ['one quote', 'Q', '"open', undefined],
    ['a line break', 'PEM', '-----BEGIN-----\nabc\n-----END-----\n', 'its value has a line break'],
    ['a trailing carriage return', 'CR', 'a\r', 'its value ends with a carriage return'],
    ['a double-quoted value', 'Q', '"quoted"', 'its value is quoted'],
    ['a single-quoted value', 'Q', "'quoted'", 'its value is quoted'],
    ['a name with a leading space', ' A', 'x', 'its name would be misread'],
    ['a name with a space', 'A B', 'x', 'its name would be misread'],
    ['a name starting with #', '#A', 'x', 'its name would be misread'],
    ['a line at the limit', 'L', 'x'.repeat(MAX_ENV_FILE_LINE_BYTES - 2), undefined],
    ['a line over the limit', 'L', 'x'.repeat(MAX_ENV_FILE_LINE_BYTES - 1), 'it is over 64 KiB'],
  ])('%s', (_n, name, value, want) => {
    expect(envFileProblem(name, value)).toBe(want);
  });
});

describe('planEnvDelivery', () => {
  it('puts every value the file can carry into it, and no value into the args', () => {
    const plan = planEnvDelivery(
      [
        ['A', 'x=y'],
        ['PEM', 'line1\nline2'],
        ['EMPTY', ''],
      ],
      FILE,
      NONE,
    );
    expect(plan.args).toEqual(['--env-file', FILE, '--env', 'PEM']);
    expect(plan.file).toEqual({ path: FILE, text: expect.stringMatching(/^#.*\nA=x=y\nEMPTY=\n$/) });
    expect(plan.cliEnv).toEqual({ PEM: 'line1\nline2' });
  });

  it('needs no file when no variable goes into one', () => {
    expect(planEnvDelivery([], FILE, NONE)).toEqual({ args: [], cliEnv: {} });
    expect(planEnvDelivery([['K', 'a\nb']], FILE, NONE)).toEqual({
      args: ['--env', 'K'],
      cliEnv: { K: 'a\nb' },
    });
  });

  it('carries a variable the CLI reads in the file when the file can carry it', () => {
    const plan = planEnvDelivery([['DOCKER_HOST', 'tcp://evil:2375']], FILE, NONE);
    expect(plan.cliEnv).toEqual({});
    expect(plan.file?.text).toContain('\nDOCKER_HOST=tcp://evil:2375\n');
  });

  it.each([
    'DOCKER_HOST',
    'docker_config',
    'HOME',
    'PATH',
    'https_proxy',
    'NO_PROXY',
    'LD_PRELOAD',
    'BASH_ENV',
    'BASH_FUNC_x%%',
    'GODEBUG',
    'TMPDIR',
    'SSH_AUTH_SOCK',
    'OTEL_EXPORTER_OTLP_ENDPOINT',
  ])('never puts %s into the CLI environment: a multi-line value of it is refused', (name) => {
    expect(() => planEnvDelivery([[name, 'a\nb']], FILE, NONE)).toThrow(EnvDeliveryRefusal);
  });

  it('never overrides a name the CLI environment already has', () => {
    expect(() => planEnvDelivery([['MY_SETTING', 'a\nb']], FILE, new Set(['MY_SETTING']))).toThrow(
      /MY_SETTING/,
    );
  });

  it('lets names that merely look alike through', () => {
    const plan = planEnvDelivery(
      [
        ['GOOGLE_APPLICATION_CREDENTIALS', '{\n}'],
        ['MY_DOCKER_HOST', 'a\nb'],
        ['TLS_KEY', '-----BEGIN-----\n'],
      ],
      FILE,
      NONE,
    );
    expect(Object.keys(plan.cliEnv)).toEqual(['GOOGLE_APPLICATION_CREDENTIALS', 'MY_DOCKER_HOST', 'TLS_KEY']);
  });
});
