// The type of `window.lathe`, which the preload exposes in the desktop app. It is absent in
// browser mode, so check `window.lathe` before using it.
//
// A renderer file brings it in with `import type {} from '../../preload/lathe';` (or by adding
// `src/preload/lathe.d.ts` to tsconfig.web.json's "include").
import type { LatheApi } from '../shared/contract';

declare global {
  interface Window {
    /** The IPC bridge; undefined outside Electron. */
    lathe?: LatheApi;
  }
}

export type { LatheApi };
