import { isAppError } from '../../shared/errors';

export interface StartupErrorText {
  title: string;
  message: string;
}

/** What the error dialog says when Lathe cannot start, e.g. because its database is unusable. */
export function describeStartupError(error: unknown, { isPackaged }: { isPackaged: boolean }): StartupErrorText {
  const message = error instanceof Error ? error.message : String(error);
  if (isAppError(error) && error.code === 'DB_CORRUPT') {
    // The core's message already names the file and says it was left untouched.
    return { title: 'Lathe cannot open its database', message };
  }
  if (isAppError(error) && error.code === 'DB_NEWER_VERSION') {
    return { title: 'This database needs a newer Lathe', message: `${message}\n\nUpdate Lathe to open it.` };
  }
  if (
    /NODE_MODULE_VERSION|compiled against a different|did not self-register|invalid ELF|not a valid Win32/i.test(
      message,
    )
  ) {
    const fix = isPackaged ? 'Reinstall Lathe.' : 'Run `npm run rebuild:electron -- --force`, then start Lathe again.';
    return {
      title: 'Lathe cannot load its database driver',
      message: `The better-sqlite3 binary does not match this Electron.\n\n${message}\n\n${fix}`,
    };
  }
  return { title: 'Lathe could not start', message };
}
