/** One-line JSON logs on stderr; a request's lines carry its InterLink-Http-Session. */
type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

let threshold = ORDER.info;

export function setLogLevel(level: Level): void {
  threshold = ORDER[level];
}

/** Whether lines of this level are written: a caller can skip building what only such a line needs. */
export function logs(level: Level): boolean {
  return ORDER[level] >= threshold;
}

export type Fields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  child(fields: Fields): Logger;
}

const toStderr = (line: string): void => {
  process.stderr.write(line);
};

/** A logger writing one JSON line per call to `sink` (stderr unless a test collects the lines). */
export function createLogger(base: Fields = {}, sink: (line: string) => void = toStderr): Logger {
  const write = (level: Level, msg: string, fields?: Fields) => {
    if (ORDER[level] < threshold) return;
    sink(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...base, ...fields })}\n`);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => createLogger({ ...base, ...fields }, sink),
  };
}

export const log = createLogger();

/**
 * A child logger made only when first written to, and only at a level that is on: a request that
 * logs nothing (a /status poll) costs no child.
 */
export function lazyChild(parent: Logger, fields: () => Fields): Logger {
  let made: Logger | undefined;
  const get = () => {
    made ??= parent.child(fields());
    return made;
  };
  const at =
    (level: Level) =>
    (msg: string, f?: Fields): void => {
      if (ORDER[level] >= threshold) get()[level](msg, f);
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (f) => get().child(f),
  };
}
