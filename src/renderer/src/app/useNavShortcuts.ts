import { useEffect } from 'react';
import { pages, type PageId } from './pages';

/**
 * Ctrl+1..n (⌘ on macOS) opens the n-th page. Matched on the physical digit key so it works on
 * layouts where digits need Shift (AZERTY).
 */
export function useNavShortcuts(navigate: (page: PageId) => void): void {
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey || event.repeat) return;
      const match = /^(?:Digit|Numpad)([1-9])$/.exec(event.code);
      const page = match ? pages[Number(match[1]) - 1] : undefined;
      if (!page) return;
      event.preventDefault();
      navigate(page.id);
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [navigate]);
}
