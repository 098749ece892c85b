/**
 * The proxy variables the network helper gets from the plugin's own environment. On a batch system
 * interLink's mesh script (PR #538) inherits the job's environment and reads these: wstunnel goes
 * through `WSTUNNEL_HTTP_PROXY`, else `https_proxy`, `HTTPS_PROXY`, `http_proxy`, `HTTP_PROXY`; curl
 * (downloads, the wstunnel server probe) reads the lower-case ones and `no_proxy`. A site behind a
 * proxy sets them for the plugin as for any program; they reach the helper by name only
 * (`docker run --env NAME`), so a proxy password is never on a command line.
 */
export const HELPER_PROXY_VARS = [
  'WSTUNNEL_HTTP_PROXY',
  'https_proxy',
  'HTTPS_PROXY',
  'http_proxy',
  'HTTP_PROXY',
  'no_proxy',
  'NO_PROXY',
] as const;

/** The proxy variables set (and not empty) in this environment. */
export function helperProxyEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of HELPER_PROXY_VARS) {
    const value = env[name];
    if (value) out[name] = value;
  }
  return out;
}
