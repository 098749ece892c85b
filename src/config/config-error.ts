/** A bad setting: the message names the setting (flag, variable or file key) and what is allowed. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
