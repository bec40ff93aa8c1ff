import { BrowserWindow, nativeTheme, screen } from 'electron';
import type { Logger } from '../core/logger';
import { minWindowSize, readWindowState, restoreWindowState, writeWindowState } from './windowState';

export interface MainWindowOptions {
  /** Absolute path of out/preload/index.cjs. */
  preload: string;
  /** What to show: the dev server's URL, or the built index.html. */
  load: { url: string } | { file: string };
  /** JSON file where the window's bounds are remembered. */
  stateFile: string;
  logger: Logger;
}

/** Opens Lathe's window where it was last closed, sandboxed and isolated from Node. */
export function createMainWindow({ preload, load, stateFile, logger }: MainWindowOptions): BrowserWindow {
  const state = restoreWindowState(readWindowState(stateFile), screen.getAllDisplays(), screen.getPrimaryDisplay());
  const window = new BrowserWindow({
    ...state.bounds,
    minWidth: minWindowSize.width,
    minHeight: minWindowSize.height,
    title: 'Lathe',
    show: false,
    // Matches the renderer's background, so no white flash before the first paint.
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#09090b' : '#ffffff',
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: true,
    },
  });
  if (state.isMaximized) window.maximize();
  window.once('ready-to-show', () => window.show());
  rememberBounds(window, stateFile, logger);

  window.webContents.on('render-process-gone', (_event, details) => {
    logger.error('renderer gone', { reason: details.reason, exitCode: details.exitCode });
  });
  window.webContents.on('preload-error', (_event, path, error) => {
    logger.error('preload failed', { path, error });
  });
  const loading = 'url' in load ? window.loadURL(load.url) : window.loadFile(load.file);
  loading.catch((error: unknown) => logger.error('renderer failed to load', { error }));
  return window;
}

/** Saves the bounds a second after the last move or resize (surviving a crash), and on close. */
function rememberBounds(window: BrowserWindow, file: string, logger: Logger): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const save = () => {
    clearTimeout(timer);
    if (window.isDestroyed() || window.isMinimized() || window.isFullScreen()) return;
    try {
      writeWindowState(file, { bounds: window.getNormalBounds(), isMaximized: window.isMaximized() });
    } catch (error) {
      logger.warn('could not save the window position', { file, error });
    }
  };
  const saveSoon = () => {
    clearTimeout(timer);
    timer = setTimeout(save, 1000);
  };
  window.on('resize', saveSoon);
  window.on('move', saveSoon);
  window.on('maximize', saveSoon);
  window.on('unmaximize', saveSoon);
  window.on('close', save);
}
