/**
 * The last lines of a failed mesh helper's log, for the pod's status and the plugin's log, with
 * every line that could carry a secret left out. interLink's mesh script holds the pod's WireGuard
 * private key (and a preshared key, if any), the wstunnel path prefix that opens the tunnel, and
 * the proxy URL may hold a password; PR #538's script prints its wstunnel command line and curl
 * transcripts on failure. A line is left out, whole, when it contains the value of any of those
 * (read from the script the plugin wrote, so a restarted plugin knows them too), anything shaped
 * like a WireGuard key, or words that name a secret. Cutting only the value would leave its
 * neighbours (a key split by a log prefix); a line left out is said to be left out.
 */

/** Lines shown at most, and characters of each. */
export const TAIL_LINES = 8;
const LINE_CHARS = 240;
/** Shorter values are not searched for: they would match ordinary words. */
const MIN_SECRET = 6;

const KEY_LINE = /^[ \t]*(?:PrivateKey|PresharedKey)[ \t]*=[ \t]*(\S+)/gim;
const PATH_PREFIX = /--http-upgrade-path-prefix[ \t]+["']?([^\s"']+)/g;
/** A WireGuard key: 32 bytes in base64. */
const WG_KEY = /[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=/;
const SECRET_WORDS = /private[ _-]?key|preshared|password|passwd|secret|token|authorization/i;

/** The secret values in a mesh script, and in proxy URLs (their user:password part). */
export function secretValues(script: string, proxyValues: readonly string[] = []): string[] {
  const found = new Set<string>();
  for (const m of script.matchAll(KEY_LINE)) found.add(m[1] ?? '');
  for (const m of script.matchAll(PATH_PREFIX)) found.add(m[1] ?? '');
  for (const v of proxyValues) {
    const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^@/]*)@/i.exec(v)?.[1];
    if (userinfo) for (const part of [userinfo, ...userinfo.split(':')]) found.add(part);
  }
  return [...found].filter((s) => s.length >= MIN_SECRET);
}

/**
 * The last lines of `log`, printable and cut to a readable length, with each run of lines that
 * carry a secret (or may) said once instead.
 */
export function safeTail(log: string, secrets: readonly string[], lines = TAIL_LINES): string[] {
  const out: string[] = [];
  let hidden = 0;
  const flush = () => {
    if (hidden === 1) out.push('(a line left out: it may hold a secret)');
    else if (hidden > 1) out.push(`(${hidden} lines left out: they may hold a secret)`);
    hidden = 0;
  };
  for (const raw of log.split('\n').slice(-4 * lines)) {
    const l = printable(raw).trimEnd();
    if (l.trim() === '') continue;
    if (secrets.some((s) => l.includes(s)) || WG_KEY.test(l) || SECRET_WORDS.test(l)) {
      hidden++;
      continue;
    }
    flush();
    out.push(l.length > LINE_CHARS ? `${l.slice(0, LINE_CHARS)}…` : l);
  }
  flush();
  return out.slice(-lines);
}

/**
 * `docker logs --timestamps` of stdout and stderr merged back into the order the lines were
 * written (Docker keeps the streams apart), timestamps dropped.
 */
export function mergeTimestamped(stdout: string, stderr: string): string {
  const lines = [...stdout.split('\n'), ...stderr.split('\n')]
    .filter((l) => l !== '')
    .map((l) => {
      const at = l.indexOf(' ');
      return at > 0 ? { t: sortable(l.slice(0, at)), text: l.slice(at + 1) } : { t: '', text: l };
    });
  // Sorted as text once the fraction has its 9 digits; sort is stable for equal times.
  lines.sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0));
  return lines.map((l) => l.text).join('\n');
}

/** Docker's RFC 3339 time (UTC, trailing zeros of the fraction dropped) with a 9-digit fraction. */
function sortable(t: string): string {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(t);
  return m ? `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}Z` : t;
}

/** A line without its control characters: colours, carriage returns mean nothing in a status message. */
function printable(line: string): string {
  let out = '';
  for (let i = 0; i < line.length; i++) {
    const code = line.charCodeAt(i);
    // ESC [ ... letter: a terminal colour.
    if (code === 0x1b && line[i + 1] === '[') {
      i += 2;
      while (i < line.length && !/[A-Za-z]/.test(line.charAt(i))) i++;
      continue;
    }
    if (code === 0x09) out += ' ';
    if (code < 0x20 || code === 0x7f) continue;
    out += line.charAt(i);
  }
  return out;
}
