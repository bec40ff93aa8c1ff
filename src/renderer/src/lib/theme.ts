import type { Theme } from '@shared/domain';

/** Where the last chosen theme is cached for `public/theme-init.js`, which must use the same key. */
export const THEME_CACHE_KEY = 'lathe.theme';

export type ResolvedTheme = 'light' | 'dark';

export function resolveTheme(theme: Theme, systemPrefersDark: boolean): ResolvedTheme {
  if (theme === 'system') return systemPrefersDark ? 'dark' : 'light';
  return theme;
}

/** Sets the `dark` class (and the native color scheme of form controls and scrollbars). */
export function applyTheme(resolved: ResolvedTheme): void {
  const root = document.documentElement;
  root.classList.toggle('dark', resolved === 'dark');
  root.style.colorScheme = resolved;
}

export function readCachedTheme(): Theme {
  try {
    const value = localStorage.getItem(THEME_CACHE_KEY);
    return value === 'light' || value === 'dark' ? value : 'system';
  } catch {
    return 'system';
  }
}

export function cacheTheme(theme: Theme): void {
  try {
    localStorage.setItem(THEME_CACHE_KEY, theme);
  } catch {
    // Without storage the next start may flash the default theme; nothing else breaks.
  }
}
