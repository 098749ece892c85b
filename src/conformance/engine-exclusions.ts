/**
 * Scenarios that cannot pass on a kind of engine, each with why: not a missing feature of a
 * sidecar (ci-exclusions.ts), but what the engine itself cannot do, where the plugin refuses the
 * pod at /create (422, saying why) rather than run it without what it asks. `--engine NAME` leaves
 * them out, and every run prints them with these reasons.
 */
const ROOTLESS_NO_MEMORY_LIMIT =
  'rootless Podman on cgroup v1 cannot apply a memory limit (no cgroup is delegated to a user there), ' +
  'so the plugin refuses a pod with one at /create (422) instead of running it unlimited';

export const ENGINE_EXCLUSIONS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'rootless-cgroup-v1': {
    'oom-killed': `${ROOTLESS_NO_MEMORY_LIMIT}: no container of it can be OOM-killed`,
    'exit-137-not-oom': `${ROOTLESS_NO_MEMORY_LIMIT}: the scenario needs the limit to show that exit 137 under it is not an OOM kill`,
  },
};
