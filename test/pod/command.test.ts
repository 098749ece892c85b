import { describe, expect, it } from 'vitest';
import { entrypointPlan } from '../../src/pod/command.ts';

describe('command and args as Kubernetes applies them to an image', () => {
  it.each([
    ['neither: the image’s ENTRYPOINT and CMD run', undefined, undefined, { cmd: [] }],
    ['empty lists count as unset', [], [], { cmd: [] }],
    ['args alone replace CMD and keep ENTRYPOINT', undefined, ['-c', 'echo hi'], { cmd: ['-c', 'echo hi'] }],
    ['command alone replaces ENTRYPOINT and drops CMD', ['echo'], undefined, { entrypoint: 'echo', cmd: [] }],
    [
      'command words after the first become arguments',
      ['sh', '-c'],
      ['echo "$X"'],
      { entrypoint: 'sh', cmd: ['-c', 'echo "$X"'] },
    ],
    [
      'words are kept byte for byte',
      ['printf'],
      ['%s\n', 'a\'b"c`d$e\nf ☃'],
      { entrypoint: 'printf', cmd: ['%s\n', 'a\'b"c`d$e\nf ☃'] },
    ],
  ])('%s', (_name, command, args, want) => {
    expect(entrypointPlan(command, args)).toEqual(want);
  });
});
