/**
 * Every phase of the benchmark, in the order each step runs them (then their `end`, in the same
 * order: delete last, it removes the pods). Add a phase: a module here, one line in this list.
 */
import type { Phase } from '../phase.ts';
import { createPhase } from './create.ts';
import { deletePhase } from './delete.ts';
import { lifecyclePhase } from './lifecycle.ts';
import { logsPhase } from './logs.ts';
import { pollingPhase } from './polling.ts';
import { processPhase } from './process.ts';
import { scrapePhase } from './scrape.ts';
import { statusPhase } from './status.ts';

export const PHASES: readonly Phase[] = [
  createPhase,
  statusPhase,
  pollingPhase,
  logsPhase,
  processPhase,
  scrapePhase,
  lifecyclePhase,
  deletePhase,
];
