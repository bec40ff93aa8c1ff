import { fileURLToPath } from 'node:url';

export interface AppUrlOptions {
  /** Absolute path of out/renderer/index.html. */
  rendererIndex: string;
  /** electron-vite's dev server (`ELECTRON_RENDERER_URL`), only in development. */
  devServerUrl?: string | undefined;
}

/**
 * Builds the test for "this URL is Lathe's own page": the renderer's index.html over `file://`
 * (any query or hash), or any page of the dev server's origin in development. Everything else,
 * including other local files, is foreign.
 */
export function createAppUrlCheck({ rendererIndex, devServerUrl }: AppUrlOptions): (url: string) => boolean {
  // Windows paths are case-insensitive, and Chromium may report the drive letter in either case.
  const fold = (path: string) => (process.platform === 'win32' ? path.toLowerCase() : path);
  const index = fold(rendererIndex);
  const devOrigin = devServerUrl ? new URL(devServerUrl).origin : null;
  return (url) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return false;
    }
    if (parsed.protocol === 'file:') {
      try {
        return fold(fileURLToPath(parsed)) === index;
      } catch {
        return false; // A file URL with a host, or otherwise not a local path.
      }
    }
    return devOrigin !== null && parsed.origin === devOrigin;
  };
}
