/**
 * The YAML config file, in interLink's plugin convention: found by --config, else
 * INTERLINKCONFIGPATH, else /etc/interlink/plugin.yaml (where interLink's Helm chart mounts
 * `plugin.config`) when it exists. It holds interLink's plugin keys where they mean something here
 * and every setting of ours under its own name. Anything else stops the plugin with a sentence.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { ConfigError } from './config-error.ts';
import { fileKey, REMOVED_SETTINGS, SETTINGS, type Setting, type SettingKey } from './settings.ts';

/** Where the Helm chart of interLink mounts the plugin's `plugin.config`. */
export const DEFAULT_CONFIG_PATH = '/etc/interlink/plugin.yaml';
export const CONFIG_PATH_ENV = 'INTERLINKCONFIGPATH';

/** A setting's value as the file gives it, turned into the string form flags and env use. */
export interface FileValue {
  value: string;
  /** `FILE: key NAME`, for error sentences. */
  where: string;
}

export type FileValues = Partial<Record<SettingKey, FileValue>>;

/** interLink's own plugin keys, and the setting of ours each one sets. */
const INTERLINK_KEYS = {
  Socket: 'listen',
  SidecarPort: 'listen',
  DataRootFolder: 'stateDir',
  VerboseLogging: 'logLevel',
  ErrorsOnlyLogging: 'logLevel',
} as const satisfies Record<string, SettingKey>;

const BY_FILE_KEY = new Map<string, SettingKey>(
  (Object.entries(SETTINGS) as [SettingKey, Setting][]).map(([key, s]) => [fileKey(s), key]),
);

/** The config file to read, or undefined when none is named and the default path does not exist. */
export function configPath(flag: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  const named = flag ?? env[CONFIG_PATH_ENV];
  if (named !== undefined && named !== '') return named;
  return existsSync(DEFAULT_CONFIG_PATH) ? DEFAULT_CONFIG_PATH : undefined;
}

/** Reads and checks the file; every problem is a ConfigError naming the file and the key. */
export function readConfigFile(path: string): FileValues {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`config file ${path} cannot be read: ${(err as Error).message}`);
  }
  return parseConfigText(text, path);
}

/** Parses the YAML text of a config file named `path` (used in messages). */
export function parseConfigText(text: string, path: string): FileValues {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ConfigError(`config file ${path} is not valid YAML: ${doc.errors[0]?.message}`);
  }
  const data: unknown = doc.toJS();
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError(`config file ${path} must be a mapping of keys to values, not ${describe(data)}`);
  }
  const values: FileValues = {};
  const setBy = new Map<SettingKey, string>();
  const put = (key: SettingKey, name: string, value: string) => {
    const earlier = setBy.get(key);
    if (earlier !== undefined) {
      throw new ConfigError(
        `config file ${path}: keys ${earlier} and ${name} both set ${fileKey(SETTINGS[key])}; keep one`,
      );
    }
    setBy.set(key, name);
    values[key] = { value, where: `config file ${path}: key ${name}` };
  };

  for (const [name, raw] of Object.entries(data as Record<string, unknown>)) {
    if (raw === null) continue; // `key:` with no value leaves the setting to env or default
    const where = `config file ${path}: key ${name}`;
    if (name in INTERLINK_KEYS) {
      const interlink = interlinkValue(name as keyof typeof INTERLINK_KEYS, raw, where);
      if (interlink !== undefined) put(INTERLINK_KEYS[name as keyof typeof INTERLINK_KEYS], name, interlink);
      continue;
    }
    const key = BY_FILE_KEY.get(name);
    const removed = REMOVED_SETTINGS.find((r) => r.fileKey === name);
    if (removed) throw new ConfigError(`${where} was removed: ${removed.instead}`);
    if (key === undefined) {
      throw new ConfigError(
        `${where} is not a setting of this plugin; allowed keys: ${[...Object.keys(INTERLINK_KEYS), ...BY_FILE_KEY.keys()].join(', ')}`,
      );
    }
    put(key, name, settingValue(SETTINGS[key], raw, where));
  }
  return values;
}

function interlinkValue(name: keyof typeof INTERLINK_KEYS, raw: unknown, where: string): string | undefined {
  switch (name) {
    case 'Socket':
      if (typeof raw !== 'string' || !/^unix:\/\/\//.test(raw)) {
        throw new ConfigError(
          `${where}: ${describe(raw)} is not a socket URL such as unix:///run/interlink/plugin.sock`,
        );
      }
      return raw;
    case 'SidecarPort': {
      // interLink writes it as a string ("4000"); a number is accepted too.
      const port =
        typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : -1;
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new ConfigError(`${where}: ${describe(raw)} is not a TCP port (0 to 65535)`);
      }
      // Loopback, as our default: interLink's API server runs beside the plugin (same pod or host).
      return `127.0.0.1:${port}`;
    }
    case 'DataRootFolder':
      if (typeof raw !== 'string') throw new ConfigError(`${where}: ${describe(raw)} is not a path`);
      return raw.replace(/(?<=.)\/+$/, '');
    case 'VerboseLogging':
    case 'ErrorsOnlyLogging':
      if (typeof raw !== 'boolean') throw new ConfigError(`${where}: ${describe(raw)} is not true or false`);
      if (!raw) return undefined;
      return name === 'VerboseLogging' ? 'debug' : 'error';
  }
}

function settingValue(s: Setting, raw: unknown, where: string): string {
  const kind = s.kind ?? 'scalar';
  switch (kind) {
    case 'string':
      if (typeof raw === 'string') return raw;
      break;
    case 'octal':
      if (typeof raw === 'string') return raw;
      throw new ConfigError(`${where}: ${describe(raw)} is not a quoted octal mode such as "0660"`);
    case 'integer':
      if (typeof raw === 'number' && Number.isInteger(raw)) return String(raw);
      throw new ConfigError(`${where}: ${describe(raw)} is not a whole number`);
    case 'boolean':
      if (typeof raw === 'boolean') return String(raw);
      throw new ConfigError(`${where}: ${describe(raw)} is not true or false`);
    case 'list':
      // Whole numbers too: GPU indexes are written `gpuDevices: [0, 1]`.
      if (Array.isArray(raw) && raw.every((v) => typeof v === 'string' || Number.isInteger(v)))
        return raw.join(',');
      if (typeof raw === 'string') return raw;
      throw new ConfigError(`${where}: ${describe(raw)} is not a list of strings`);
    case 'scalar':
      if (['string', 'number', 'boolean'].includes(typeof raw)) return String(raw);
      break;
  }
  throw new ConfigError(
    `${where}: ${describe(raw)} is not a ${kind === 'string' ? 'string' : 'single value'}`,
  );
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v !== null && typeof v === 'object') return 'a mapping';
  return JSON.stringify(v);
}
