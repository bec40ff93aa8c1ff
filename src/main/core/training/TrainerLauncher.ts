import { fork } from 'node:child_process';
import type { FromTrainer, ToTrainer } from './trainerProtocol';

/** A running training process, whatever started it (child_process in Node, utilityProcess in Electron). */
export interface TrainerProcess {
  send(message: ToTrainer): void;
  onMessage(listener: (message: FromTrainer) => void): void;
  /** Called once when the process ends, however it ends. */
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  /** The last few kilobytes the process wrote to stderr (for crash reports). */
  stderrTail(): string;
  kill(): void;
}

/** Starts the training process. Injected into the core so that Electron can use its utilityProcess. */
export type TrainerLauncher = () => TrainerProcess;

const tailBytes = 8192;

/** Keeps the last `tailBytes` of a stream's text. */
export function createTail(): { push(chunk: Buffer | string): void; text(): string } {
  let tail = '';
  return {
    push(chunk) {
      tail = (tail + chunk.toString()).slice(-tailBytes);
    },
    text: () => tail,
  };
}

/**
 * Launches `entry` (the built worker, out/main/trainer.js) with Node's child_process.fork. Used by
 * tests and browser mode. Structured clone ("advanced" serialization) carries typed arrays.
 */
export function forkTrainerLauncher(entry: string, env: NodeJS.ProcessEnv = process.env): TrainerLauncher {
  return () => {
    const child = fork(entry, [], {
      env,
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    const tail = createTail();
    child.stderr?.on('data', (chunk: Buffer) => {
      tail.push(chunk);
      process.stderr.write(chunk);
    });
    return {
      send: (message) => {
        if (child.connected) child.send(message);
      },
      onMessage: (listener) => child.on('message', (m) => listener(m as FromTrainer)),
      onExit: (listener) => child.once('exit', (code, signal) => listener(code, signal)),
      stderrTail: () => tail.text(),
      kill: () => child.kill('SIGKILL'),
    };
  };
}
