import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';

const root = dirname(fileURLToPath(import.meta.url));
const shared = { '@shared': resolve(root, 'src/shared') };

export default defineConfig({
  main: {
    resolve: { alias: shared },
    build: {
      // Dependencies stay external: better-sqlite3 and node-llama-cpp carry native binaries.
      externalizeDeps: true,
      rollupOptions: {
        input: {
          index: resolve(root, 'src/main/index.ts'),
          server: resolve(root, 'src/main/server.ts'),
          trainer: resolve(root, 'src/main/workers/trainer.ts'),
          inference: resolve(root, 'src/main/workers/inference.ts'),
        },
      },
    },
  },
  preload: {
    resolve: { alias: shared },
    build: {
      // A sandboxed renderer cannot load an ESM preload, and cannot require() anything but
      // electron: emit one self-contained CommonJS file.
      externalizeDeps: { exclude: ['zod'] },
      rollupOptions: {
        input: { index: resolve(root, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src/renderer'),
    resolve: {
      alias: { ...shared, '@renderer': resolve(root, 'src/renderer/src') },
    },
    plugins: [react(), tailwindcss()],
    build: {
      minify: true,
      rollupOptions: { input: { index: resolve(root, 'src/renderer/index.html') } },
    },
  },
});
