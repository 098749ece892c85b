/** `--help`: every setting with its flag, environment variable, file key and default, from SETTINGS. */
import { CONFIG_PATH_ENV, DEFAULT_CONFIG_PATH } from './config-file.ts';
import { fileKey, SETTINGS, type Setting } from './settings.ts';

export function helpText(version: string): string {
  const lines = [
    `interlink-docker-plugin ${version}: an interLink sidecar plugin that runs Kubernetes pods on a Docker host.`,
    '',
    'Usage: interlink-docker-plugin [--config FILE] [--FLAG VALUE ...]',
    '',
    'Each setting is read from its flag, else its environment variable, else the config file, else its default.',
    `  --config FILE   YAML config file (env ${CONFIG_PATH_ENV}; default ${DEFAULT_CONFIG_PATH} when it exists).`,
    "                  It also takes interLink's keys Socket, SidecarPort, DataRootFolder, VerboseLogging, ErrorsOnlyLogging.",
    '  --help          this text',
    '  --version       the version',
    '',
    'Settings:',
  ];
  for (const s of Object.values(SETTINGS) as Setting[]) {
    lines.push(`  --${s.flag} VALUE`);
    lines.push(`      ${s.help}`);
    lines.push(
      `      env ${s.env}, file key ${fileKey(s)}, default ${s.default === '' ? '(empty)' : s.default}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
