/**
 * Why a `docker pull` failed, in words an operator can act on. interLink never sends
 * imagePullSecrets, so an image from a private registry needs credentials on the host: when the
 * registry refused for want of them, the sentence names the registry and says so.
 */

const MISSING_CREDENTIALS =
  /unauthorized|pull access denied|no basic auth credentials|authentication required/i;

/** The registry of an image reference as docker reads it (Docker Hub when none is named). */
export function registryOf(image: string): string {
  const first = image.split('/')[0] ?? '';
  const named = image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  return named ? first : 'docker.io';
}

/** The sentence a failed pull of `image` reports, from docker's stderr (exit code as fallback). */
export function pullFailure(image: string, stderr: string, code: number | null): string {
  const said =
    stderr.trim().replace(/^Error( response from daemon)?:\s*/i, '') || `docker pull exited ${code}`;
  if (!MISSING_CREDENTIALS.test(stderr)) return said;
  const registry = registryOf(image);
  return (
    `registry ${registry} refused to give image "${image}": credentials for it are missing or wrong on the ` +
    `Docker host (interLink sends no imagePullSecrets; log in to ${registry} where the plugin's pulls read ` +
    `their Docker config). Docker said: ${said}`
  );
}
