/**
 * Whether an image name parses as a Docker image reference, by the grammar of
 * distribution/reference (the one the kubelet's ParseNormalizedNamed and the docker CLI use).
 * A pod chooses its images: a name that does not parse never reaches Docker, so a name shaped like
 * a flag (`--format=…`) cannot be read as one by any docker command the plugin runs.
 */

const alphaNumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alphaNumeric}(?:${separator}${alphaNumeric})*`;
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const host = `(?:${domainComponent}(?:\\.${domainComponent})*|\\[[a-fA-F0-9:]+\\])`;
const domain = `${host}(?::[0-9]+)?`;
const name = `(?:${domain}/)?${pathComponent}(?:/${pathComponent})*`;
const tag = '[\\w][\\w.-]{0,127}';
const digest = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(${name})(?::${tag})?(?:@${digest})?$`);

/** distribution/reference's limit on the name part (domain and path). */
const NAME_MAX = 255;

export function isImageReference(image: string): boolean {
  const match = REFERENCE.exec(image);
  return match !== null && (match[1]?.length ?? 0) <= NAME_MAX;
}

/** The kubelet's InvalidImageName message for an image that does not parse. */
export function invalidImageMessage(image: string): string {
  return `Failed to apply default image tag "${image}": couldn't parse image name "${image}": invalid reference format`;
}
