/**
 * Prints the README's configuration table from src/config/settings.ts, one row per setting, as
 * test/readme.test.ts expects it: `npx tsx scripts/settings-table.ts`, then paste it over the table.
 */
import { fileKey, SETTINGS } from '../src/config/settings.ts';

const rows = [
  '| Flag | Environment | File key | Default | What it does |',
  '|---|---|---|---|---|',
  '| `--config` | `INTERLINKCONFIGPATH` | | `/etc/interlink/plugin.yaml` when it exists | The YAML config file |',
  ...Object.values(SETTINGS).map((s) => {
    const def = s.default === '' ? '(empty)' : `\`${s.default}\``;
    return `| \`--${s.flag}\` | \`${s.env}\` | \`${fileKey(s)}\` | ${def} | ${s.help} |`;
  }),
];
console.log(rows.join('\n'));
