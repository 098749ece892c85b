/** The conformance kit: drives any interLink plugin over the wire exactly as interLink does. */
export { CI_EXCLUSIONS } from './ci-exclusions.ts';
export { ENGINE_EXCLUSIONS } from './engine-exclusions.ts';
export { formatList, formatProgress, formatTable, toJson, toJunit } from './report.ts';
export {
  type ConformanceOptions,
  type ConformanceReport,
  runConformance,
  SelectionError,
  selectScenarios,
} from './run-conformance.ts';
export type { ScenarioResult } from './runner.ts';
export type { Scenario } from './scenario.ts';
export { ALL_SCENARIOS } from './scenarios/index.ts';
export { isTerminal, type PodPhase, type VkVerdict, vkPhase } from './vk-phase.ts';
