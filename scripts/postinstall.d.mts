export type StepPlan = { run: true } | { run: false; reason: string; later: string };

export interface Step {
  name: string;
  /** Whether the step can run on this install, and if not why and how to do it later. */
  plan(root: string, env: Record<string, string | undefined>): StepPlan;
  /** Does the work; throws with an explanation on failure. */
  run(): void;
}

export function planTrainerAddon(): StepPlan;

export function planElectronBinary(root: string, env: Record<string, string | undefined>): StepPlan;

export function planElectronSqlite(root: string, env: Record<string, string | undefined>): StepPlan;

export const steps: Step[];

export function runSteps(
  list: Step[],
  context: { root: string; env: Record<string, string | undefined>; log: (line: string) => void },
): void;
