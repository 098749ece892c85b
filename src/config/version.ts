/**
 * The plugin's version, from package.json. This file sits two levels below the package root, as
 * the bundle does (dist/src/main.mjs), so one relative path serves both.
 */
import { readFileSync } from 'node:fs';

export function pluginVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
