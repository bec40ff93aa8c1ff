/**
 * Lets the bench import Lathe's own sources (src/main/**), which use extensionless relative imports
 * (`./EventBus`, bundled by electron-vite): adds a resolve hook, on top of ts-loader.mjs's, that
 * retries a relative specifier that was not found as `<specifier>.ts` and `<specifier>/index.ts`.
 * Import this module first, then load src/ with dynamic `import()` (static imports resolve before
 * the hook exists).
 */
import { register } from 'node:module';

const hook = `
export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (err) {
    const relative = specifier.startsWith('./') || specifier.startsWith('../');
    const code = err && err.code;
    if (!relative || (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'ERR_UNSUPPORTED_DIR_IMPORT')) throw err;
    for (const suffix of ['.ts', '/index.ts']) {
      try {
        return await nextResolve(specifier + suffix, context);
      } catch {}
    }
    throw err;
  }
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);
