/** What a conformance scenario is: an id for --only/--skip, what it checks, and how it runs. */
import type { ScenarioContext } from './scenario-context.ts';

export interface Scenario {
  /** Stable, kebab-case: used by --only, --skip, the reports and ci-exclusions.ts. */
  id: string;
  /** The scenarios/ file it lives in, e.g. 'lifecycle'. */
  group: string;
  /** What it checks, in a sentence or two, for --list and docs/conformance.md. */
  checks: string;
  /** Runs alone before every other scenario (the ping: interLink pings before it sends any pod). */
  first?: boolean;
  /** Fails by throwing (ConformanceFailure for a plugin problem); returns when every check passed. */
  run(ctx: ScenarioContext): Promise<void>;
}
