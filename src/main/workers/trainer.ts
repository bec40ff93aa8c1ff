/**
 * The training process. Started by the core through a TrainerLauncher (Electron's utilityProcess
 * in the app, child_process.fork elsewhere); the only process that loads the trainer addon, so a
 * crash in native code never takes the app or its database down.
 */
import { loadTrainerAddon } from '../../../native/index';
import { AppError, toAppErrorData } from '../../shared/errors';
import { runTraining } from '../core/training/runTraining';
import type { FromTrainer, ToTrainer } from '../core/training/trainerProtocol';

interface ParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
const post = (message: FromTrainer): void => {
  if (parentPort) parentPort.postMessage(message);
  else process.send?.(message);
};
const onMessage = (listener: (message: ToTrainer) => void): void => {
  if (parentPort) parentPort.on('message', (event) => listener(event.data as ToTrainer));
  else process.on('message', (message) => listener(message as ToTrainer));
};

/** The addon, or UNSUPPORTED saying why this build cannot train here (not built, a missing GPU runtime…). */
function addon(path: string | undefined): ReturnType<typeof loadTrainerAddon> {
  try {
    return loadTrainerAddon(path);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new AppError('UNSUPPORTED', `Fine-tuning is unavailable: ${message}`);
  }
}

/** The addon's coded errors as the contract's. */
function mergeError(error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'INVALID_ARGUMENT') return new AppError('INVALID_INPUT', `Cannot merge: ${message}.`);
  if (code === 'UNSUPPORTED') return new AppError('UNSUPPORTED', `Cannot merge: ${message}.`);
  if (code === 'CANCELLED') return new AppError('CANCELLED', 'The merge was cancelled.');
  if (code === 'IO') return new AppError('IO_ERROR', message);
  return error;
}

const controller = new AbortController();
let started = false;

onMessage((message) => {
  if (message.type === 'cancel') {
    controller.abort();
    return;
  }
  if (message.type === 'devices' && !started) {
    started = true;
    try {
      post({ type: 'devices', devices: addon(message.addonPath).devices() });
    } catch (error) {
      post({ type: 'failed', error: toAppErrorData(error), checkpoint: false });
    }
    setTimeout(() => process.exit(0), 50);
    return;
  }
  if (message.type === 'merge' && !started) {
    started = true;
    void (async () => {
      try {
        const task = addon(message.spec.addonPath).mergeAdapter({
          base: message.spec.base,
          adapter: message.spec.adapter,
          output: message.spec.output,
          name: message.spec.name,
          metadata: message.spec.metadata,
        });
        controller.signal.addEventListener('abort', () => task.cancel());
        const timer = setInterval(() => post({ type: 'mergeProgress', ...task.progress() }), 200);
        try {
          post({ type: 'merged', ...(await task.done) });
        } finally {
          clearInterval(timer);
        }
      } catch (error) {
        post({ type: 'failed', error: toAppErrorData(mergeError(error)), checkpoint: false });
      }
      setTimeout(() => process.exit(0), 50);
    })();
    return;
  }
  if (message.type !== 'start' || started) return;
  started = true;
  void (async () => {
    try {
      await runTraining(message.spec, addon(message.spec.addonPath), post, controller.signal);
    } catch (error) {
      post({ type: 'failed', error: toAppErrorData(error), checkpoint: false });
    }
    // Let the last message flush, then leave: native memory goes with the process.
    setTimeout(() => process.exit(0), 50);
  })();
});

// The parent went away (app crashed or was killed): stop rather than train for nobody.
process.on('disconnect', () => process.exit(0));
