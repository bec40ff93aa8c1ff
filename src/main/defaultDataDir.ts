import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The folder Electron would use as `userData` for an app named "Lathe", so the desktop app and
 * browser mode share one library by default.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Lathe');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Lathe');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Lathe');
}
