/**
 * The model runtime process. Started by the core through a launcher (Electron's utilityProcess in
 * the app, child_process.fork elsewhere) with UV_THREADPOOL_SIZE=1: node-llama-cpp decodes on
 * libuv's pool, and llama.cpp's CPU threads run fastest when every decode starts from the same
 * thread (on 2 cores, 1.4–2.5× the tokens/s of a pool of 4 taking turns). It is also the only
 * process that runs llama.cpp on a model, so a crash there leaves the app and its database alone.
 */
import { serveInference } from '../core/inference/inferenceHost';
import type { FromInference, ToInference } from '../core/inference/inferenceProtocol';

interface ParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

serveInference({
  post: (message: FromInference) => {
    if (parentPort) parentPort.postMessage(message);
    else process.send?.(message);
  },
  onMessage: (listener: (message: ToInference) => void) => {
    if (parentPort) parentPort.on('message', (event) => listener(event.data as ToInference));
    else process.on('message', (message) => listener(message as ToInference));
  },
});

// The core went away (app crashed or was killed): leave with it.
process.on('disconnect', () => process.exit(0));
