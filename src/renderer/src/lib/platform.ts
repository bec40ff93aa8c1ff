/** Whether the shortcut modifier is ⌘ (macOS) rather than Ctrl. */
export const isMac = /Mac|iPhone|iPad/.test(navigator.platform);

/** How to write the shortcut modifier next to a key, e.g. `⌘1` or `Ctrl+1`. */
export function shortcutLabel(key: string): string {
  return isMac ? `⌘${key}` : `Ctrl+${key}`;
}
