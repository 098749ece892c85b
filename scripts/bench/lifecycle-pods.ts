/**
 * The pods of the create/delete measurements and the docker CLI sequences that make the same
 * pods by hand: a one-container pod (`docker run -d`), and a pod of 2 init containers and 4
 * containers (a sandbox, the init containers run to their end one after the other, then the
 * containers), removed with one `docker stop` and one `docker rm` per pod.
 */
import type { Container, Pod, RetrievedPodData } from '../../src/contract/api-types.ts';
import { docker } from './docker.ts';
import type { BenchPod, PodFactory } from './payloads.ts';

/** The shapes measured. */
export type PodShape = 'one' | 'multi';

export const INIT_CONTAINERS = 2;
export const APP_CONTAINERS = 4;

/** A pod of the factory's, grown to 2 init containers (`true`) and 4 containers (the bench command). */
export function multiContainerPod(factory: PodFactory): BenchPod {
  const p = factory.make();
  const data = JSON.parse(p.createBody.toString('utf8')) as RetrievedPodData;
  const spec = data.pod.spec as NonNullable<Pod['spec']>;
  const base = spec.containers[0] as Container;
  const named = (name: string, command: string[]): Container => ({
    ...structuredClone(base),
    name,
    command: command.slice(0, 1),
    args: command.slice(1),
  });
  const command = [...(base.command ?? []), ...(base.args ?? [])];
  spec.initContainers = Array.from({ length: INIT_CONTAINERS }, (_, i) => named(`init-${i}`, ['true']));
  spec.containers = Array.from({ length: APP_CONTAINERS }, (_, i) => named(`app-${i}`, command));
  const template = data.container?.[0];
  data.container = template
    ? [...spec.initContainers, ...spec.containers].map((c) => ({
        ...structuredClone(template),
        name: c.name,
      }))
    : data.container;
  p.createBody = Buffer.from(JSON.stringify(data));
  p.containerName = 'app-0';
  return p;
}

/** What the CLI made for one pod: the containers that run (the sandbox last), and all of them. */
export interface CliPod {
  running: string[];
  all: string[];
}

/** `docker run -d IMAGE CMD`: the one-container pod by hand (one call). */
export async function cliOneContainerPod(
  label: string,
  image: string,
  command: readonly string[],
): Promise<CliPod> {
  const id = (await docker(['run', '-d', '--label', label, image, ...command])).trim();
  return { running: [id], all: [id] };
}

/**
 * The multi-container pod by hand, as a script would make it (7 calls): the sandbox, each init
 * container run in the foreground until it ends, then each container `run -d` in its network.
 */
export async function cliMultiContainerPod(
  label: string,
  image: string,
  command: readonly string[],
  pauseImage: string,
  name: string,
): Promise<CliPod> {
  const sandbox = (await docker(['run', '-d', '--label', label, pauseImage])).trim();
  const running = [sandbox];
  const inits: string[] = [];
  const inPod = ['--label', label, '--network', `container:${sandbox}`];
  for (let i = 0; i < INIT_CONTAINERS; i++) {
    inits.push(`${name}-init-${i}`);
    await docker(['run', '--name', `${name}-init-${i}`, ...inPod, image, 'true']);
  }
  for (let i = 0; i < APP_CONTAINERS; i++)
    running.unshift((await docker(['run', '-d', ...inPod, image, ...command])).trim());
  return { running, all: [...running, ...inits] };
}

/**
 * Deletes a pod by hand: one `docker stop` of its containers (grace 0, as the bench pods have),
 * one `docker rm` of them all, init containers included.
 */
export async function cliDeletePod(pod: CliPod): Promise<void> {
  await docker(['stop', '--time', '0', ...pod.running]);
  await docker(['rm', ...pod.all]);
}
