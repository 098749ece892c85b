/**
 * Path rules of volumes: a file from a spec or an object stays inside its volume, a subPath too,
 * a hostPath stays under the allowed prefixes; modes are file modes. Pure, POSIX paths.
 */
import { posix } from 'node:path';
import { invalidField } from '../errors.ts';
import type { VolumeFile } from './volume-types.ts';

/** A key as one JSON pointer segment. */
export const pointer = (s: string) => s.replaceAll('~', '~0').replaceAll('/', '~1');

/** Why a file path from a spec or an object would not stay inside its volume, if it would not. */
function filePathProblem(p: string): string | undefined {
  if (p === '') return 'must not be empty';
  if (p.includes('\0')) return 'must not contain a NUL byte';
  if (p.startsWith('/')) return 'must be a relative path inside the volume';
  if (p.length > 4096) return 'must be at most 4096 characters';
  const parts = p.split('/');
  if (parts.includes('..')) return "must not contain a '..' segment";
  if ((parts[0] as string).startsWith('..')) return "must not start with '..'";
  if (parts.some((part) => part.length > 255)) return 'must have file names of at most 255 characters';
  const normal = posix.normalize(p);
  if (normal === '.' || normal.endsWith('/')) return 'must name a file inside the volume';
  return undefined;
}

export function subPathProblem(p: string): string | undefined {
  if (p.includes('\0')) return 'must not contain a NUL byte';
  if (p.startsWith('/')) return 'must be a relative path inside the volume';
  if (p.split('/').includes('..')) return "must not contain a '..' segment";
  return undefined;
}

/** A subPath without '.', '//' or a trailing '/'; '' for the whole volume. */
export function normalSubPath(p: string | undefined): string {
  if (!p) return '';
  const normal = posix.normalize(p).replace(/\/+$/, '');
  return normal === '.' ? '' : normal;
}

export function fileMode(mode: unknown, field: string): number | undefined {
  if (mode === undefined || mode === null) return undefined;
  if (typeof mode !== 'number' || !Number.isInteger(mode) || mode < 0 || mode > 0o777) {
    throw invalidField(field, 'must be a file mode between 0 and 0777 (511)');
  }
  return mode;
}

/** Whether a normalised absolute path is one of the allowed prefixes or under one. */
export function underAllowed(path: string, allowed: readonly string[]): boolean {
  return allowed.some((prefix) => {
    const p = posix.normalize(prefix).replace(/\/+$/, '');
    return p === '' || path === p || path.startsWith(`${p}/`);
  });
}

/** Collects a volume's files, refusing duplicate or file-versus-directory paths. */
export class FileSet {
  private readonly files = new Map<string, VolumeFile>();
  private readonly dirs = new Set<string>();

  has(path: string): boolean {
    return this.files.has(posix.normalize(path));
  }

  add(path: string, content: Buffer, mode: number, field: string): void {
    const problem = filePathProblem(path);
    if (problem) throw invalidField(field, problem);
    const normal = posix.normalize(path);
    if (this.files.has(normal) || this.dirs.has(normal))
      throw invalidField(field, `puts two things at ${normal}`);
    const parts = normal.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (this.files.has(dir)) throw invalidField(field, `needs ${dir} to be a directory, but it is a file`);
      this.dirs.add(dir);
    }
    this.files.set(normal, { path: normal, content, mode });
  }

  list(): VolumeFile[] {
    return [...this.files.values()];
  }
}
