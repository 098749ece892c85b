/** A reason the kubelet would refuse to start the container (CreateContainerConfigError). */
export class ContainerConfigError extends Error {
  override name = 'ContainerConfigError';
}
