import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRegularFile, readRegularFile, replaceFile } from '../../src/docker/nofollow-files.ts';

describe('files a container may have planted', () => {
  let dir: string;
  let host: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nofollow-'));
    host = join(dir, 'host-file');
    writeFileSync(host, 'host content\n');
    mkdirSync(join(dir, 'a-dir'));
    symlinkSync(host, join(dir, 'link'));
    symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling'));
    writeFileSync(join(dir, 'small'), 'nameserver 10.96.0.10\n');
    writeFileSync(join(dir, 'big'), 'x'.repeat(100));
    execFileSync('mkfifo', [join(dir, 'fifo')]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['a regular file', 'small', { ok: true, text: 'nameserver 10.96.0.10\n' }],
    ['a symlink to a host file', 'link', { ok: false, why: 'is not a regular file (a symbolic link)' }],
    ['a dangling symlink', 'dangling', { ok: false, why: 'is not a regular file (a symbolic link)' }],
    ['a FIFO, without hanging', 'fifo', { ok: false, why: 'is not a regular file' }],
    ['a directory', 'a-dir', { ok: false, why: 'is not a regular file' }],
    ['a file over the limit', 'big', { ok: false, why: 'is larger than 64 bytes' }],
    ['nothing', 'absent', { ok: false, why: 'is missing' }],
  ])('reads %s as %j', async (_name, file, want) => {
    expect(await readRegularFile(join(dir, file), 64)).toEqual(want);
  });

  it('tells a regular file from a link to one', async () => {
    expect(await isRegularFile(join(dir, 'small'))).toBe(true);
    expect(await isRegularFile(join(dir, 'link'))).toBe(false);
    expect(await isRegularFile(join(dir, 'absent'))).toBe(false);
  });

  it('replaces a planted symlink instead of writing through it, with the mode asked for', async () => {
    const path = join(dir, 'note');
    symlinkSync(host, path);
    await replaceFile(path, 'the plugin wrote this', 0o644);
    expect(readFileSync(host, 'utf8')).toBe('host content\n');
    expect(await readRegularFile(path, 1024)).toEqual({ ok: true, text: 'the plugin wrote this' });
    expect(statSync(path).mode & 0o777).toBe(0o644);
  });
});
