import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../src/config/config-file.ts';
import { fileKey, SETTINGS } from '../src/config/settings.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

describe('the README', () => {
  it.each(Object.values(SETTINGS).map((s) => [s.env, s]))(
    'documents %s with its flag, file key, default and meaning',
    (_env, s) => {
      const def = s.default === '' ? '(empty)' : `\`${s.default}\``;
      expect(readme).toContain(`| \`--${s.flag}\` | \`${s.env}\` | \`${fileKey(s)}\` | ${def} | ${s.help} |`);
    },
  );

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
