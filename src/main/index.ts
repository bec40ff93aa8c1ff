// The Electron host: starts the core, serves it to one sandboxed window over IPC, and shuts it
// down cleanly. Everything Electron-specific lives in ./electron; the application is ./core.
import { join } from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, Menu, session, shell } from 'electron';
import { createCore, type Core } from './core/createCore';
import { inferenceProcessEnv } from './core/inference/InferenceClient';
import { createStreamLogger } from './core/logger';
import { createAppUrlCheck } from './electron/appUrl';
import { contentSecurityPolicy } from './electron/contentSecurityPolicy';
import { createMainWindow } from './electron/createMainWindow';
import { forwardEvents } from './electron/forwardEvents';
import { hardenSession } from './electron/hardenSession';
import { hardenWebContents } from './electron/hardenWebContents';
import { installCleanQuit } from './electron/installCleanQuit';
import { buildMenuTemplate } from './electron/menu';
import { readAppVersion, resolveAppPaths, resolveDataDir } from './electron/paths';
import { registerIpc } from './electron/registerIpc';
import { registerPathPicker } from './electron/registerPathPicker';
import { utilityLauncher } from './electron/utilityLauncher';
import { findSqliteBinding } from './electron/sqliteBinding';
import { describeStartupError } from './electron/startupError';

const isDev = !app.isPackaged;
const paths = resolveAppPaths(import.meta.url);
const devServerUrl = isDev ? process.env.ELECTRON_RENDERER_URL : undefined;
const logger = createStreamLogger(isDev ? 'debug' : 'info');
const isAppUrl = createAppUrlCheck({ rendererIndex: paths.rendererIndex, devServerUrl });

main();

function main(): void {
  let dataDir: string;
  try {
    dataDir = resolveDataDir({
      argv: process.argv,
      env: process.env,
      cwd: process.cwd(),
      defaultDir: join(app.getPath('appData'), 'Lathe'),
    });
  } catch (error) {
    fail('Lathe could not start', error instanceof Error ? error.message : String(error));
    return;
  }
  app.setName('Lathe');
  // Chromium's storage lives beside the database, so a data dir is one self-contained profile.
  // The single-instance lock is per userData folder too: two data dirs may run side by side.
  app.setPath('userData', dataDir);
  app.enableSandbox();
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.on('second-instance', () => focusWindow());
  app.on('web-contents-created', (_event, contents) => {
    hardenWebContents(contents, { isAppUrl, openExternal: (url) => void shell.openExternal(url), logger });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());
  app
    .whenReady()
    .then(() => start(dataDir))
    .catch((error: unknown) => fail('Lathe could not start', error instanceof Error ? error.message : String(error)));
}

function start(dataDir: string): void {
  const binding = findSqliteBinding({
    electronVersion: process.versions.electron,
    platform: process.platform,
    arch: process.arch,
    isPackaged: app.isPackaged,
    appRoot: paths.appRoot,
    resourcesPath: process.resourcesPath,
  });
  if (!binding.ok) return fail('Lathe cannot open its database', binding.message);

  const appVersion = readAppVersion(paths.appRoot, app.getVersion());
  let core: Core;
  try {
    core = createCore({
      dataDir,
      logger,
      host: 'electron',
      appVersion,
      electronVersion: process.versions.electron,
      sqliteNativeBinding: binding.file,
      trainerLauncher: utilityLauncher(paths.trainerEntry, 'Lathe trainer'),
      inferenceLauncher: utilityLauncher(paths.inferenceEntry, 'Lathe model runtime', inferenceProcessEnv),
      trainerAddonPath: paths.trainerAddon,
    });
  } catch (error) {
    // Never "repair" by deleting: a damaged or newer database is the user's data.
    const { title, message } = describeStartupError(error, { isPackaged: app.isPackaged });
    return fail(title, message);
  }

  hardenSession(session.defaultSession, { csp: contentSecurityPolicy(devServerUrl), isAppUrl, logger });
  const disposeIpc = registerIpc(ipcMain, core.dispatch, {
    isTrustedSender: (frame) => isAppUrl(frame.url),
    logger,
  });
  const disposePicker = registerPathPicker(ipcMain, {
    isTrustedSender: (frame) => isAppUrl(frame.url),
    logger,
    show: async (options) => {
      const parent = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
      const common = { ...(options.title ? { title: options.title } : {}), filters: options.filters ?? [] };
      if (options.mode === 'open') {
        const picked = parent
          ? await dialog.showOpenDialog(parent, { ...common, properties: ['openFile'] })
          : await dialog.showOpenDialog({ ...common, properties: ['openFile'] });
        return picked.canceled ? null : (picked.filePaths[0] ?? null);
      }
      const saveOptions = { ...common, ...(options.defaultName ? { defaultPath: options.defaultName } : {}) };
      const picked = parent
        ? await dialog.showSaveDialog(parent, saveOptions)
        : await dialog.showSaveDialog(saveOptions);
      return picked.canceled || !picked.filePath ? null : picked.filePath;
    },
  });
  const stopEvents = forwardEvents(core.events, () =>
    BrowserWindow.getAllWindows()
      .map((window) => window.webContents)
      .filter((contents) => !contents.isDestroyed() && isAppUrl(contents.getURL())),
  );
  installCleanQuit(
    app,
    async () => {
      stopEvents();
      disposeIpc();
      disposePicker();
      await core.close();
    },
    { logger },
  );

  app.setAboutPanelOptions({ applicationName: 'Lathe', applicationVersion: appVersion });
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      buildMenuTemplate({
        platform: process.platform,
        isDev,
        openDataFolder: () => void shell.openPath(dataDir),
        showAbout: () => app.showAboutPanel(),
      }),
    ),
  );

  openWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) openWindow();
  });
  app.on('window-all-closed', () => {
    // macOS apps stay running without windows; the Dock icon reopens one.
    if (process.platform !== 'darwin') app.quit();
  });
}

function openWindow(): BrowserWindow {
  return createMainWindow({
    preload: paths.preload,
    load: devServerUrl ? { url: devServerUrl } : { file: paths.rendererIndex },
    stateFile: join(app.getPath('userData'), 'window-state.json'),
    logger,
  });
}

function focusWindow(): void {
  const [window] = BrowserWindow.getAllWindows();
  if (!window) return;
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}

/** Startup cannot continue: explain why, then exit without touching anything else. */
function fail(title: string, message: string): void {
  logger.error(title, { message });
  dialog.showErrorBox(title, message);
  app.exit(1);
}
