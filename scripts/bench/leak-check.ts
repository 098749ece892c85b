/**
 * Create, poll, read logs and delete pods over and over, then look at what is left: the
 * sidecar's memory, its docker processes (only the events stream should remain) and containers.
 */
import type { CreateStruct } from '../../src/contract/api-types.ts';
import { containersWithLabel } from './docker.ts';
import { closedLoop, type LoadResult } from './load.ts';
import type { Ctx } from './measure.ts';
import { type DockerChild, dockerChildrenOf, memoryOf } from './proc.ts';
import { sleep } from './sidecar.ts';

export interface LeakReport {
  cycles: number;
  concurrency: number;
  load: LoadResult;
  rssStartMb: number;
  rssEndMb: number;
  hwmEndMb: number;
  /** RSS as the loop went on: [cycles done, MB]. */
  rssTrend: [number, number][];
  dockerChildrenAtEnd: DockerChild[];
  leftoverContainers: number;
}

export async function leakCheck(
  ctx: Ctx,
  cycles: number,
  concurrency: number,
  progress: (msg: string) => void,
): Promise<LeakReport> {
  const pid = ctx.sidecar.pid;
  const rssStartMb = memoryOf(pid)?.rssMb ?? Number.NaN;
  const rssTrend: [number, number][] = [[0, rssStartMb]];
  const every = Math.max(1, Math.floor(cycles / 10));
  let done = 0;
  const client = ctx.sidecar.client;
  const load = await closedLoop({
    concurrency,
    maxRequests: cycles,
    op: async () => {
      const p = ctx.factory.make();
      const answer = JSON.parse(await client.ok('POST', '/create', p.createBody)) as CreateStruct;
      ctx.factory.created(p, answer.PodJID);
      try {
        await client.ok('GET', '/status', p.statusBody);
        await client.ok('GET', '/getLogs', p.logsBody);
      } finally {
        await client.ok('POST', '/delete', p.deleteBody);
      }
      done++;
      if (done % every === 0) {
        const rss = memoryOf(pid)?.rssMb ?? Number.NaN;
        rssTrend.push([done, rss]);
        progress(`leak check: ${done}/${cycles} cycles, RSS ${rss.toFixed(1)} MB`);
      }
    },
  });
  // Give log readers and inspects a moment to finish before counting what stayed.
  let kids = dockerChildrenOf(pid);
  for (let i = 0; i < 50 && kids.length > 1; i++) {
    await sleep(200);
    kids = dockerChildrenOf(pid);
  }
  const mem = memoryOf(pid);
  return {
    cycles,
    concurrency,
    load,
    rssStartMb,
    rssEndMb: mem?.rssMb ?? Number.NaN,
    hwmEndMb: mem?.hwmMb ?? Number.NaN,
    rssTrend,
    dockerChildrenAtEnd: kids,
    leftoverContainers: (await containersWithLabel('io.interlink.docker-plugin.instance', ctx.instance))
      .length,
  };
}
