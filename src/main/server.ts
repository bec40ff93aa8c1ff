/**
 * Browser mode: `npm run serve [-- --host 127.0.0.1 --port 4777 --data-dir DIR]`.
 * Runs the same core as the desktop app and serves the built renderer to any browser.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isAppError } from '../shared/errors';
import { createCore } from './core/createCore';
import { createStreamLogger, type LogLevel } from './core/logger';
import { defaultDataDir } from './defaultDataDir';
import { createHttpServer } from './serve/createHttpServer';
import { inferenceProcessEnv } from './core/inference/InferenceClient';
import { forkLauncher } from './core/processes';
import { forkTrainerLauncher } from './core/training/TrainerLauncher';
import { version } from '../../package.json';

const usage = `Usage: npm run serve -- [--host 127.0.0.1] [--port 4777] [--data-dir DIR] [--log-level info]
  --host       interface to listen on (default 127.0.0.1; use 0.0.0.0 to reach it from other machines)
  --port       port (default 4777; 0 picks a free one)
  --data-dir   where Lathe keeps its database and models (default: $LATHE_DATA_DIR or ${defaultDataDir()})`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '4777' },
      'data-dir': { type: 'string' },
      'log-level': { type: 'string', default: 'info' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0..65535, got ${values.port}`);
  const logLevel = values['log-level'] as LogLevel;
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel))
    throw new Error('--log-level must be debug, info, warn or error');

  const logger = createStreamLogger(logLevel);
  const dataDir = resolve(values['data-dir'] ?? process.env.LATHE_DATA_DIR ?? defaultDataDir());
  const rendererDir = fileURLToPath(new URL('../renderer', import.meta.url));
  if (!existsSync(resolve(rendererDir, 'index.html'))) {
    logger.warn('the renderer is not built; run `npm run build` (serving the API only)', { rendererDir });
  }

  const core = createCore({
    dataDir,
    logger,
    host: 'server',
    appVersion: version,
    trainerLauncher: forkTrainerLauncher(fileURLToPath(new URL('./trainer.js', import.meta.url))),
    inferenceLauncher: forkLauncher(fileURLToPath(new URL('./inference.js', import.meta.url)), {
      ...process.env,
      ...inferenceProcessEnv,
    }),
    // LATHE_TRAINER_ADDON picks another build of the trainer (e.g. native/build-vulkan beside the CPU one).
    trainerAddonPath:
      process.env.LATHE_TRAINER_ADDON ||
      fileURLToPath(new URL('../../native/build/Release/lathe_trainer.node', import.meta.url)),
  });
  const http = await createHttpServer({
    dispatch: core.dispatch,
    events: core.events,
    logger,
    rendererDir,
    host: values.host,
    port,
  });

  console.log(
    `\nLathe ${version} (browser mode) is running at:\n\n  ${http.url}\n\nData: ${dataDir}\nPress Ctrl+C to stop.\n`,
  );
  if (values.host !== '127.0.0.1' && values.host !== 'localhost' && values.host !== '::1') {
    logger.warn('listening beyond this machine: anyone who has the URL with its token can use Lathe', {
      host: values.host,
    });
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    await http.close();
    await core.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  if (isAppError(error)) console.error(`Lathe could not start: [${error.code}] ${error.message}`);
  else if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
    console.error(`Lathe could not start: the port is already in use. Pick another with --port.`);
  else console.error(`Lathe could not start: ${error instanceof Error ? error.message : String(error)}`);
  console.error(usage);
  process.exit(1);
});
