/** Kubernetes' image pull policy, with its default. */
import type { Container } from '../contract/api-types.ts';

/** The policy Kubernetes applies when none is set: `:latest` or no tag → Always, else IfNotPresent. */
export function effectivePullPolicy(
  container: Pick<Container, 'image' | 'imagePullPolicy'>,
): 'Always' | 'IfNotPresent' | 'Never' {
  if (container.imagePullPolicy) return container.imagePullPolicy;
  const image = container.image;
  if (image.includes('@')) return 'IfNotPresent';
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const tag = lastSegment.includes(':') ? lastSegment.slice(lastSegment.indexOf(':') + 1) : '';
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}
