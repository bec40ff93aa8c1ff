export interface BuildOptions {
  /** Repository root; the folder above scripts/ by default. */
  root?: string;
  /** Rebuild even when an up-to-date binary exists. Default false. */
  force?: boolean;
  /** Target architecture; `npm_config_arch` or the running one by default. */
  arch?: string;
  /** Extra flags passed to node-gyp, e.g. `--nodedir=...`. */
  nodeGypArgs?: string[];
  /** Progress lines; console.log by default. */
  log?: (line: string) => void;
}

export interface BuildResult {
  /** Absolute path of the better_sqlite3.node built for Electron. */
  file: string;
  /** False when an up-to-date binary was already there. */
  built: boolean;
}

/** Builds better-sqlite3 for the installed Electron's ABI; throws with an explanation on failure. */
export function buildElectronSqlite(options?: BuildOptions): Promise<BuildResult>;
