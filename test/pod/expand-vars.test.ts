import { describe, expect, it } from 'vitest';
import { expandCommand, expandVars } from '../../src/pod/expand-vars.ts';

describe('expandVars follows Kubernetes expansion exactly', () => {
  const vars: Record<string, string> = {
    VAR_A: 'A',
    VAR_B: 'B',
    VAR_C: 'C',
    VAR_REF: '$(VAR_A)',
    VAR_EMPTY: '',
  };
  const lookup = (name: string) => vars[name];
  // Rows from kubernetes/third_party/forked/golang/expansion/expand_test.go, plus unicode.
  const rows: Array<[string, string, string]> = [
    ['whole string', '$(VAR_A)', 'A'],
    ['repeat', '$(VAR_A)-$(VAR_A)', 'A-A'],
    ['middle', '___$(VAR_B)___', '___B___'],
    ['compound', '$(VAR_A)_$(VAR_B)_$(VAR_C)', 'A_B_C'],
    ['escape & expand', '$$(VAR_B)_$(VAR_A)', '$(VAR_B)_A'],
    ['compound escape', '$$(VAR_A)_$$(VAR_B)', '$(VAR_A)_$(VAR_B)'],
    ['mixed in escapes', 'f000-$$VAR_A', 'f000-$VAR_A'],
    ['backslash escape ignored', 'foo\\$(VAR_C)bar', 'foo\\Cbar'],
    ['nested var references', '$(VAR_A$(VAR_B))', '$(VAR_A$(VAR_B))'],
    ['nested var references second type', '$(VAR_A$(VAR_B)', '$(VAR_A$(VAR_B)'],
    ['value is a reference, not expanded twice', '$(VAR_REF)', '$(VAR_A)'],
    ['empty var', 'foo$(VAR_EMPTY)bar', 'foobar'],
    ['unterminated expression', 'foo$(VAR_Awhoops!', 'foo$(VAR_Awhoops!'],
    ['shell special vars pass through', '$?_boo_$!', '$?_boo_$!'],
    ['bare operators are ignored', '$VAR_A', '$VAR_A'],
    ['undefined vars are passed through', '$(VAR_DNE)', '$(VAR_DNE)'],
    ['multiple (even) operators, var undefined', '$$$$$$(BIG_MONEY)', '$$$(BIG_MONEY)'],
    ['multiple (even) operators, var defined', '$$$$$$(VAR_A)', '$$$(VAR_A)'],
    ['multiple (odd) operators, var undefined', '$$$$$$$(GOOD_ODDS)', '$$$$(GOOD_ODDS)'],
    ['multiple (odd) operators, var defined', '$$$$$$$(VAR_A)', '$$$A'],
    ['missing open expression', '$VAR_A)', '$VAR_A)'],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell syntax is the input under test
    ['shell syntax ignored', '${VAR_A}', '${VAR_A}'],
    ['trailing incomplete expression not consumed', '$(VAR_B)_______$(A', 'B_______$(A'],
    ['trailing incomplete expression, no content', '$(VAR_C)_______$(', 'C_______$('],
    ['operator at end of input string is preserved', '$(VAR_A)foobarzab$', 'Afoobarzab$'],
    ['lots of $( in middle', '--$($($($($--', '--$($($($($--'],
    ['escaped operators in variable names are not escaped', '$(foo$$var)', '$(foo$$var)'],
    ['newline not expanded', '\n', '\n'],
    ['operator before a non-BMP character', '$😀$(VAR_A)', '$😀A'],
    ['unicode around a reference', 'ünï$(VAR_A)cødé ☃', 'ünïAcødé ☃'],
  ];
  it.each(rows)('%s', (_name, given, want) => {
    expect(expandVars(given, lookup)).toBe(want);
  });
});

describe('expandCommand', () => {
  const env = new Map([
    ['GREETING', 'hello world'],
    ['EMPTY', ''],
  ]);
  it.each([
    [
      'expands command and args',
      ['echo', '$(GREETING)'],
      ['$(EMPTY)x', '$$(GREETING)'],
      ['echo', 'hello world'],
      ['x', '$(GREETING)'],
    ],
    ['keeps undefined references', ['$(NOPE)'], null, ['$(NOPE)'], []],
    ['gives empty arrays for unset command and args', undefined, null, [], []],
  ] as const)('%s', (_name, command, args, wantCommand, wantArgs) => {
    expect(expandCommand(command as string[] | undefined, args as string[] | null, env)).toEqual({
      command: wantCommand,
      args: wantArgs,
    });
  });
});
