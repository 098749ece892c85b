/** A container's decided securityContext (pod/security-context.ts) as `docker create` arguments. */
import type { ContainerSecurity } from '../../pod/security-context.ts';

/** `docker create` args for what the container runs as and may do. */
export function securityArgs(security: ContainerSecurity): string[] {
  const args: string[] = [];
  if (security.user !== undefined) args.push('--user', security.user);
  for (const g of security.groups) args.push('--group-add', String(g));
  if (security.privileged) args.push('--privileged');
  for (const cap of security.capAdd) args.push('--cap-add', cap);
  for (const cap of security.capDrop) args.push('--cap-drop', cap);
  if (security.noNewPrivileges) args.push('--security-opt', 'no-new-privileges');
  if (security.readOnlyRootFilesystem) args.push('--read-only');
  if (security.seccompUnconfined) args.push('--security-opt', 'seccomp=unconfined');
  for (const [name, value] of security.sysctls) args.push('--sysctl', `${name}=${value}`);
  return args;
}
