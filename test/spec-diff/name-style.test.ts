import { describe, expect, it } from 'vitest';
import {
  describeRename,
  isStyleRename,
  type NameStyle,
  nameStyle,
  normalizeName,
} from '../../src/spec-diff/name-style.ts';

describe('normalizeName', () => {
  const rows: [string, string][] = [
    ['pod_uid', 'poduid'],
    ['PodUID', 'poduid'],
    ['podUid', 'poduid'],
    ['POD_UID', 'poduid'],
    ['pod-uid', 'poduid'],
    ['container_name', 'containername'],
    ['ContainerName', 'containername'],
    ['exit_code', 'exitcode'],
    ['exitCode', 'exitcode'],
    ['projectedvolumemaps', 'projectedvolumemaps'],
  ];
  it.each(rows)('spells %s as %s', (name, want) => {
    expect(normalizeName(name)).toBe(want);
  });
});

describe('isStyleRename', () => {
  const rows: [string, string, boolean][] = [
    ['pod_uid', 'PodUID', true],
    ['PodUID', 'podUid', true],
    ['UID', 'uid', true],
    ['hostIP', 'hostIp', true],
    ['exitCode', 'exit_code', true],
    ['PodUID', 'PodUID', false],
    ['Bytes', 'limit_bytes', false],
    ['readOnlyRootFilesystem', 'read_only_file_system', false],
    ['detail', 'details', false],
  ];
  it.each(rows)('%s and %s are the same name in another style: %s', (a, b, want) => {
    expect(isStyleRename(a, b)).toBe(want);
  });
});

describe('nameStyle', () => {
  const rows: [string, NameStyle][] = [
    ['pod_uid', 'snake_case'],
    ['POD_UID', 'SCREAMING_SNAKE_CASE'],
    ['pod-uid', 'kebab-case'],
    ['podUid', 'camelCase'],
    ['hostIP', 'camelCase'],
    ['PodUID', 'PascalCase'],
    ['uid', 'lowercase'],
    ['UID', 'UPPERCASE'],
    ['Pod_UID', 'mixed'],
  ];
  it.each(rows)('calls %s %s', (name, want) => {
    expect(nameStyle(name)).toBe(want);
  });

  it('describes a rename by the styles on each side, or as a case change', () => {
    expect(describeRename('PodUID', 'pod_uid')).toBe('PascalCase -> snake_case');
    expect(describeRename('hostIP', 'hostIp')).toBe('case only');
  });
});
