/** Removing a tree a container made: however deep, never through a link. */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { removeTree } from '../../../src/docker/volumes/tree-removal.ts';

const dir = mkdtempSync(join(tmpdir(), 'tree-removal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('removes a tree nested past PATH_MAX, a link in it removed and its target left alone', async () => {
  const outside = join(dir, 'outside');
  writeFileSync(outside, 'keep');
  const tree = join(dir, 'tree');
  const levels = Array(500).fill('d').join('/');
  mkdirSync(join(tree, levels), { recursive: true });
  symlinkSync(outside, join(tree, levels, 'link'));
  writeFileSync(join(tree, levels, 'file'), 'x');
  // Four times: 500 levels, the tree so far moved to their bottom (4000 bytes deeper each time).
  for (let k = 0; k < 4; k++) {
    mkdirSync(join(dir, 'n', levels), { recursive: true });
    renameSync(tree, join(dir, 'n', levels, 't'));
    renameSync(join(dir, 'n'), tree);
  }
  await expect(rm(tree, { recursive: true })).rejects.toThrow(/ENAMETOOLONG/);
  await removeTree(tree);
  expect(existsSync(tree)).toBe(false);
  expect(readFileSync(outside, 'utf8')).toBe('keep');
});

it('takes a missing tree for removed', async () => {
  await expect(removeTree(join(dir, 'missing'))).resolves.toBeUndefined();
});
