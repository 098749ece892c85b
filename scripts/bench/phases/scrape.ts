/**
 * What a Prometheus scrape of /metrics costs at each pod count. The pods' usage series are read
 * from their cgroups in the background (at most every 10 s, only while scraped) and a scrape
 * writes out the prepared lines (src/metrics/usage-metrics.ts), so there are two costs:
 * - a scrape: the CPU of back-to-back scrapes served from a reading, per scrape;
 * - being scraped: the sidecar's CPU over a window with one scrape a second, as a share of one
 *   core (the background readings included), next to the same window without scrapes.
 * Reported, not asserted (the CPU figures are /proc's, at 10 ms resolution: hence many scrapes).
 */
import { type Phase, stepData } from '../phase.ts';
import { cpuSecondsOf } from '../proc.ts';
import type { StepResult } from '../results.ts';
import { sleep } from '../sidecar.ts';
import { fmt } from '../stats.ts';
import { table } from '../table.ts';

/** Scrapes first, unrecorded, so the path is compiled as in a sidecar scraped for a while. */
const WARMUP_SCRAPES = 20;
/** Recorded back to back: /proc counts CPU in 10 ms ticks, so 200 scrapes read to 0.05 ms each. */
const WARM_SCRAPES = 200;
const WINDOW_MS = 30_000;

export interface ScrapeStep {
  /** The first scrape of the step (it may wait for a reading of every cgroup). */
  firstMs: number;
  /** CPU ms per scrape, over WARM_SCRAPES back-to-back scrapes after WARMUP_SCRAPES. */
  cpuMsPerScrape: number;
  wallMsPerScrape: number;
  bytes: number;
  /** What the scrape took on the wire (gzipped, if the sidecar gzips). */
  wireBytes?: number;
  /** Usage series in one scrape (lines of container_* metrics). */
  usageSeries: number;
  /** Share of one core over the window, scraped once a second, and the same window idle. */
  scrapedCoreShare: number;
  idleCoreShare: number;
}

const ID = 'scrape';
const data = (s: StepResult) => stepData<ScrapeStep>(s, ID);

export const scrapePhase: Phase = {
  id: ID,
  async step(ctx, _opts, info) {
    const { client, pid } = ctx.sidecar;
    // As Prometheus scrapes: with Accept-Encoding: gzip.
    const scrape = () => client.scrape('/metrics');
    ctx.progress(`step ${info.pods}: scraping /metrics`);
    let t = performance.now();
    await scrape();
    const firstMs = performance.now() - t;
    // Let a reading the first scrape started finish, so the warm scrapes serve one.
    await sleep(3000);
    let last = { text: '', wireBytes: 0 };
    for (let i = 0; i < WARMUP_SCRAPES; i++) last = await scrape();
    const cpu0 = cpuSecondsOf(pid);
    t = performance.now();
    for (let i = 0; i < WARM_SCRAPES; i++) await scrape();
    const wallMsPerScrape = (performance.now() - t) / WARM_SCRAPES;
    const cpuMsPerScrape = ((cpuSecondsOf(pid) - cpu0) * 1000) / WARM_SCRAPES;
    const share = async (scraped: boolean) => {
      const c0 = cpuSecondsOf(pid);
      const t0 = performance.now();
      while (performance.now() - t0 < WINDOW_MS) {
        if (scraped) await scrape();
        await sleep(1000);
      }
      return (cpuSecondsOf(pid) - c0) / ((performance.now() - t0) / 1000);
    };
    ctx.progress(
      `step ${info.pods}: ${WINDOW_MS / 1000} s scraped once a second, then ${WINDOW_MS / 1000} s idle`,
    );
    const scrapedCoreShare = await share(true);
    const idleCoreShare = await share(false);
    return {
      firstMs,
      cpuMsPerScrape,
      wallMsPerScrape,
      bytes: Buffer.byteLength(last.text),
      wireBytes: last.wireBytes,
      usageSeries: last.text.split('\n').filter((l) => l.startsWith('container_')).length,
      scrapedCoreShare,
      idleCoreShare,
    } satisfies ScrapeStep;
  },

  render(r) {
    const rows = r.steps.flatMap((s) => {
      const d = data(s);
      return d
        ? [
            [
              String(s.pods),
              String(d.usageSeries),
              fmt(d.bytes / 1024, 0),
              d.wireBytes === undefined ? '' : fmt(d.wireBytes / 1024, 0),
              fmt(d.firstMs, 0),
              fmt(d.cpuMsPerScrape, 2),
              fmt(d.wallMsPerScrape, 2),
              `${fmt(d.scrapedCoreShare * 100, 2)}%`,
              `${fmt(d.idleCoreShare * 100, 2)}%`,
            ],
          ]
        : [];
    });
    if (rows.length === 0) return '';
    return [
      'GET /metrics: a scrape served from the background reading of the cgroups, and being scraped once a second',
      table(
        [
          'pods',
          'usage series',
          'KiB',
          'KiB on the wire',
          'first scrape ms',
          'CPU ms/scrape',
          'wall ms/scrape',
          'scraped 1/s: of one core',
          'idle',
        ],
        rows,
      ),
    ].join('\n');
  },
};
