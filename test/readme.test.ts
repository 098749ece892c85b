import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../src/config/config-file.ts';
import { fileKey, SETTINGS } from '../src/config/settings.ts';

const ROOT = resolve(import.meta.dirname, '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

describe('the README', () => {
  it.each(Object.values(SETTINGS).map((s) => [s.env, s]))(
    'documents %s with its flag, file key, default and meaning',
    (_env, s) => {
      const def = s.default === '' ? '(empty)' : `\`${s.default}\``;
      expect(readme).toContain(`| \`--${s.flag}\` | \`${s.env}\` | \`${fileKey(s)}\` | ${def} | ${s.help} |`);
    },
  );

  it('has no configuration row for a setting that no longer exists', () => {
    const flags = new Set(['config', ...Object.values(SETTINGS).map((s) => s.flag)]);
    const rows = [...readme.matchAll(/^\| `--([a-z-]+)` \|/gm)].map((m) => m[1]);
    expect(rows.length).toBe(flags.size);
    expect(rows.filter((f) => !flags.has(f ?? ''))).toEqual([]);
  });

  it('shows a config file the plugin accepts', () => {
    const example = /```yaml\n# \/etc\/interlink\/plugin.yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    expect(Object.keys(parseConfigText(example ?? '', 'README.md'))).toContain('listen');
  });

  it('gives the start and test commands on its first screen, and they exist', () => {
    const firstScreen = readme.split('\n').slice(0, 25).join('\n');
    expect(firstScreen).toContain('npm start');
    expect(firstScreen).toContain('npm test');
    expect(pkg.scripts.start).toBeDefined();
    expect(pkg.scripts.test).toBeDefined();
  });
});

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
const anchor = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');

describe('the documentation', () => {
  const files = ['README.md', ...readdirSync(join(ROOT, 'docs')).map((f) => `docs/${f}`)].filter((f) =>
    f.endsWith('.md'),
  );
  it.each(files)('%s links only to files and headings that exist', (file) => {
    // Code is not prose: a regular expression in backticks can look like a link.
    const text = readFileSync(join(ROOT, file), 'utf8')
      .replace(/```[\s\S]*?```/g, '')
      .replace(/`[^`]*`/g, '');
    const broken: string[] = [];
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (!target || /^[a-z]+:/.test(target)) continue;
      const [path, hash] = target.split('#');
      const to = path ? resolve(dirname(join(ROOT, file)), path) : join(ROOT, file);
      if (!existsSync(to)) broken.push(target);
      else if (hash && to.endsWith('.md')) {
        const headings = [...readFileSync(to, 'utf8').matchAll(/^#+ (.+)$/gm)].map((m) => anchor(m[1] ?? ''));
        if (!headings.includes(hash)) broken.push(target);
      }
    }
    expect(broken).toEqual([]);
  });
});
