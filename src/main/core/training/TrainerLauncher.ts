import { forkLauncher, type ChildHandle, type ChildLauncher } from '../processes';
import type { FromTrainer, ToTrainer } from './trainerProtocol';

export { createTail } from '../processes';

/** A running training process, whatever started it (child_process in Node, utilityProcess in Electron). */
export type TrainerProcess = ChildHandle<ToTrainer, FromTrainer>;

/** Starts the training process. Injected into the core so that Electron can use its utilityProcess. */
export type TrainerLauncher = ChildLauncher<ToTrainer, FromTrainer>;

/** Launches `entry` (the built worker, out/main/trainer.js) with Node's child_process.fork. */
export function forkTrainerLauncher(entry: string, env: NodeJS.ProcessEnv = process.env): TrainerLauncher {
  return forkLauncher<ToTrainer, FromTrainer>(entry, env);
}
