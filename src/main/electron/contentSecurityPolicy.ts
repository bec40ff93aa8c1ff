/**
 * The renderer's Content-Security-Policy. Nothing may load from outside the app; the page talks to
 * the core over IPC, never the network.
 *
 * - `style-src 'unsafe-inline'`: Radix and sonner position popovers and toasts with inline styles.
 * - In development only, `script-src 'unsafe-inline'` admits the React Refresh preamble that Vite
 *   inlines, and `connect-src` admits the dev server's HMR WebSocket.
 *
 * @param devServerUrl electron-vite's dev server, or undefined for the built app.
 */
export function contentSecurityPolicy(devServerUrl?: string): string {
  const dev = devServerUrl ? new URL(devServerUrl) : null;
  const hmr = dev ? ` ${dev.protocol === 'https:' ? 'wss:' : 'ws:'}//${dev.host}` : '';
  const directives = [
    "default-src 'none'",
    `script-src 'self'${dev ? " 'unsafe-inline'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${hmr}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-src 'none'",
    "frame-ancestors 'none'",
  ];
  return directives.join('; ');
}
