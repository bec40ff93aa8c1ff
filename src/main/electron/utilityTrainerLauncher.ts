import { utilityProcess } from 'electron';
import { createTail, type TrainerLauncher } from '../core/training/TrainerLauncher';
import type { FromTrainer } from '../core/training/trainerProtocol';

/**
 * Starts the training process as an Electron utility process (a Node process Electron manages,
 * so the main process never loads the trainer addon). Messages travel by structured clone.
 */
export function utilityTrainerLauncher(entry: string): TrainerLauncher {
  return () => {
    const child = utilityProcess.fork(entry, [], {
      serviceName: 'Lathe trainer',
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    const tail = createTail();
    child.stderr?.on('data', (chunk: Buffer) => {
      tail.push(chunk);
      process.stderr.write(chunk);
    });
    let exited = false;
    child.once('exit', () => (exited = true));
    return {
      send: (message) => {
        if (!exited) child.postMessage(message);
      },
      onMessage: (listener) => child.on('message', (message: unknown) => listener(message as FromTrainer)),
      onExit: (listener) => child.once('exit', (code) => listener(code, null)),
      stderrTail: () => tail.text(),
      kill: () => {
        if (!exited) child.kill();
      },
    };
  };
}
