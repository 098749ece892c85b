import { describe, expect, it } from 'vitest';
import { isImageReference } from '../../src/pod/image-reference.ts';

describe('isImageReference', () => {
  it.each([
    'busybox',
    'busybox:1.36',
    'library/busybox:latest',
    'localhost/busybox:1.36',
    'localhost:5000/team/app_x.y-z:v1.2.3-rc_1',
    'registry.example.org/ns/img@sha256:0b53756faf2c9be5ed5e369cf1614525cb6db95b58b71d9e6846d9a0b127301d',
    'Registry.Example.org:443/a/b:TAG@sha256:0b53756faf2c9be5ed5e369cf1614525',
    '[fd00::1]:5000/img:1',
  ])('takes %s', (image) => {
    expect(isImageReference(image)).toBe(true);
  });

  it.each([
    ['a flag', '--format={{json .RepoTags}} {{json "1000"}}'],
    ['a short flag', '-q'],
    ['upper case in the repository', 'BusyBox:1.36'],
    ['a space', 'busybox 1.36'],
    ['an empty tag', 'busybox:'],
    ['no name', ':1.36'],
    ['a short digest', 'busybox@sha256:abc'],
    ['a name over 255 characters', `${'a'.repeat(256)}:1`],
  ])('refuses %s', (_label, image) => {
    expect(isImageReference(image)).toBe(false);
  });
});
