/**
 * Kubernetes' `$(VAR)` expansion, for env values and for command and args
 * (third_party/forked/golang/expansion in the Kubernetes tree).
 */

const OPERATOR = '$';

/**
 * Kubernetes' `$(VAR)` expansion (third_party/forked/golang/expansion Expand): `$(NAME)` becomes
 * lookup(NAME), or stays as written when lookup gives undefined; `$$` is an escaped `$`, so
 * `$$(NAME)` is the literal `$(NAME)`; any other `$` is kept, as is an unterminated `$(`.
 */
export function expandVars(text: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < text.length; cursor++) {
    if (text[cursor] !== OPERATOR || cursor + 1 >= text.length) continue;
    out += text.slice(checkpoint, cursor);
    const next = text[cursor + 1];
    let advance = 1;
    if (next === OPERATOR) {
      out += OPERATOR;
    } else if (next === '(') {
      const close = text.indexOf(')', cursor + 2);
      if (close === -1) {
        out += '$(';
      } else {
        const name = text.slice(cursor + 2, close);
        out += lookup(name) ?? `$(${name})`;
        advance = close - cursor;
      }
    } else {
      // Go reads one rune here; a surrogate pair is one rune, so keep both halves together.
      const codePoint = text.codePointAt(cursor + 1) as number;
      advance = codePoint > 0xffff ? 2 : 1;
      out += OPERATOR + text.slice(cursor + 1, cursor + 1 + advance);
    }
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + text.slice(checkpoint);
}

/**
 * Command and args with `$(VAR)` expanded from the container's final env, as the kubelet does
 * (ExpandContainerCommandAndArgs). An empty array means "not set": use the image's.
 */
export function expandCommand(
  command: string[] | null | undefined,
  args: string[] | null | undefined,
  env: Map<string, string>,
): { command: string[]; args: string[] } {
  const lookup = (name: string) => env.get(name);
  return {
    command: (command ?? []).map((c) => expandVars(c, lookup)),
    args: (args ?? []).map((a) => expandVars(a, lookup)),
  };
}
