import { utilityProcess } from 'electron';
import { createTail, type ChildLauncher } from '../core/processes';

/**
 * Starts a worker (out/main/trainer.js, out/main/inference.js) as an Electron utility process: a
 * Node process Electron manages, so the main process never loads native engines itself and a crash
 * there leaves the app running. Messages travel by structured clone. `env` adds to the app's own.
 */
export function utilityLauncher<To, From>(
  entry: string,
  serviceName: string,
  env: Record<string, string> = {},
): ChildLauncher<To, From> {
  return () => {
    const child = utilityProcess.fork(entry, [], {
      serviceName,
      stdio: ['ignore', 'inherit', 'pipe'],
      env: { ...process.env, ...env },
    });
    const tail = createTail();
    child.stderr?.on('data', (chunk: Buffer) => {
      tail.push(chunk);
      process.stderr.write(chunk);
    });
    let exited = false;
    child.once('exit', () => (exited = true));
    return {
      send: (message, onUndelivered) => {
        if (!exited) child.postMessage(message);
        else if (onUndelivered) queueMicrotask(onUndelivered);
      },
      onMessage: (listener) => child.on('message', (message: unknown) => listener(message as From)),
      onExit: (listener) => child.once('exit', (code) => listener(code, null)),
      stderrTail: () => tail.text(),
      pid: () => child.pid ?? null,
      kill: () => {
        if (!exited) child.kill();
      },
    };
  };
}
