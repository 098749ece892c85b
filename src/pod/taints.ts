/**
 * Node taints as an operator writes them for the plugin (`key=value:Effect`, comma-separated, as
 * `kubectl taint` spells one), checked with Kubernetes' own rules so that the Virtual Kubelet never
 * skips or rewrites one it receives in the ping.
 */

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect;
}

const EFFECTS: readonly TaintEffect[] = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
/** The Virtual Kubelet keeps this taint itself and skips it in a ping answer. */
const SYSTEM_TAINT = 'virtual-node.interlink/no-schedule';
const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why a taint key is not a Kubernetes qualified name (`[prefix/]name`), or undefined when it is. */
function keyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)))
    return `its prefix ${prefix} is not a DNS subdomain`;
  if (name.length === 0 || name.length > 63 || !NAME.test(name))
    return 'its name must be 1 to 63 letters, digits, - _ or ., beginning and ending with a letter or digit';
  return undefined;
}

/**
 * Parses `key=value:Effect,key2:Effect` (the value may be left out). Throws an Error naming the bad
 * entry and the rule it breaks; an empty string is no taints.
 */
export function parseTaints(text: string): Taint[] {
  const out: Taint[] = [];
  const seen = new Set<string>();
  for (const entry of text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const colon = entry.lastIndexOf(':');
    if (colon < 0)
      throw new Error(`${entry} has no effect: write key=value:Effect, e.g. gpu=true:NoSchedule`);
    const effect = entry.slice(colon + 1) as TaintEffect;
    if (!EFFECTS.includes(effect))
      throw new Error(
        `${entry} has effect ${effect || '(empty)'}: use NoSchedule, PreferNoSchedule or NoExecute`,
      );
    const pair = entry.slice(0, colon);
    const eq = pair.indexOf('=');
    const key = eq >= 0 ? pair.slice(0, eq) : pair;
    const value = eq >= 0 ? pair.slice(eq + 1) : undefined;
    const bad = keyProblem(key);
    if (bad) throw new Error(`${entry}: key ${key || '(empty)'} is not valid: ${bad}`);
    if (key === SYSTEM_TAINT) throw new Error(`${entry}: ${SYSTEM_TAINT} is the Virtual Kubelet's own taint`);
    if (value && (value.length > 63 || !NAME.test(value)))
      throw new Error(
        `${entry}: value ${value} must be at most 63 letters, digits, - _ or ., beginning and ending with a letter or digit`,
      );
    if (seen.has(`${key}:${effect}`))
      throw new Error(`${entry}: ${key} with effect ${effect} is given twice`);
    seen.add(`${key}:${effect}`);
    out.push(value ? { key, value, effect } : { key, effect });
  }
  return out;
}
