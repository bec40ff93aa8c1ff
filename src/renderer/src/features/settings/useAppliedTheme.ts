import { useEffect, useLayoutEffect } from 'react';
import { applyTheme, cacheTheme, readCachedTheme, resolveTheme, type ResolvedTheme } from '@renderer/lib/theme';
import { useMediaQuery } from '@renderer/lib/useMediaQuery';
import { useSettings } from './useSettings';

/**
 * Keeps the `dark` class on <html> in step with the theme setting and, for `system`, with the
 * OS preference. Until settings load, the cached theme (already applied before the first paint
 * by `public/theme-init.js`) stands in.
 */
export function useAppliedTheme(): ResolvedTheme {
  const { data } = useSettings();
  const theme = data?.theme ?? readCachedTheme();
  const systemPrefersDark = useMediaQuery('(prefers-color-scheme: dark)');
  const resolved = resolveTheme(theme, systemPrefersDark);

  useLayoutEffect(() => applyTheme(resolved), [resolved]);
  useEffect(() => {
    if (data) cacheTheme(data.theme);
  }, [data]);

  return resolved;
}
