import { fork } from 'node:child_process';

/**
 * A Node process the core starts for native work (training, the model runtime), whatever started
 * it: child_process in Node, Electron's utilityProcess in the app. Messages travel by structured
 * clone, so typed arrays and Maps cross as they are.
 */
export interface ChildHandle<To, From> {
  /**
   * Sends a message. `onUndelivered` runs (later, once) when it cannot reach the process because
   * the process has already gone, before its exit is reported: the message was never received.
   */
  send(message: To, onUndelivered?: () => void): void;
  onMessage(listener: (message: From) => void): void;
  /** Called once when the process ends, however it ends. */
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  /** The last few kilobytes the process wrote to stderr (for crash reports). */
  stderrTail(): string;
  /** The operating system's id of the process (null before Electron reports it). */
  pid(): number | null;
  kill(): void;
}

/** Starts one such process. Injected into the core so that Electron can use its utilityProcess. */
export type ChildLauncher<To, From> = () => ChildHandle<To, From>;

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
 * Launches `entry` (a built worker under out/main/) with Node's child_process.fork. Used by tests
 * and browser mode. `env` is the whole environment of the process.
 */
export function forkLauncher<To, From>(entry: string, env: NodeJS.ProcessEnv = process.env): ChildLauncher<To, From> {
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
      send: (message, onUndelivered) => {
        if (!child.connected) {
          if (onUndelivered) queueMicrotask(onUndelivered);
          return;
        }
        // With a callback a write to a process that has just died (EPIPE) comes back here instead
        // of as an 'error' event nobody listens to, which would end this process.
        child.send(message as object, (error) => {
          if (error) onUndelivered?.();
        });
      },
      onMessage: (listener) => child.on('message', (m) => listener(m as From)),
      onExit: (listener) => child.once('exit', (code, signal) => listener(code, signal)),
      stderrTail: () => tail.text(),
      pid: () => child.pid ?? null,
      kill: () => child.kill('SIGKILL'),
    };
  };
}
