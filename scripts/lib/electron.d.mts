/** What `findElectron` learned about the installed Electron. */
export interface ElectronInstall {
  /** Version of node_modules/electron, or null when the package is not installed. */
  version: string | null;
  /** Absolute path of the Electron executable, or null when it is missing. */
  executable: string | null;
  /** Why `executable` is null, in one sentence; null when it is present. */
  reason: string | null;
}

export function findElectron(root: string, env?: Record<string, string | undefined>): ElectronInstall;

export function electronSqliteBindingFile(
  root: string,
  electronVersion: string,
  platform: string,
  arch: string,
): string;
