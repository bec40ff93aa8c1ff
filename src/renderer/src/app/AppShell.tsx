import { useRef } from 'react';
import { ConnectionBanner } from '@renderer/features/connection/ConnectionBanner';
import { useRefetchOnReconnect } from '@renderer/features/connection/useRefetchOnReconnect';
import { useHashRoute } from '@renderer/lib/useHashRoute';
import { PageOutlet } from './PageOutlet';
import { defaultPage, pageIds, pages } from './pages';
import { Sidebar } from './Sidebar';
import { useNavShortcuts } from './useNavShortcuts';

/** The window's layout: skip link, sidebar, connection banner and the current page. */
export function AppShell() {
  const [route, navigate] = useHashRoute(pageIds, defaultPage);
  const main = useRef<HTMLElement>(null);
  useNavShortcuts(navigate);
  useRefetchOnReconnect();

  // The document title stays "Lathe" (the desktop window's title); the page is in <main>'s name.
  const label = pages.find((page) => page.id === route.page)?.label ?? 'Lathe';

  return (
    <div className="flex h-full">
      <a
        href="#main"
        onClick={(event) => {
          // A plain #main would be taken for a route; move focus by hand instead.
          event.preventDefault();
          main.current?.focus();
        }}
        className="fixed top-2 left-2 z-50 -translate-y-16 rounded-md bg-primary px-3 py-2 text-sm font-medium text-primary-foreground shadow-lg outline-none focus-visible:translate-y-0 focus-visible:ring-[3px] focus-visible:ring-ring/50"
      >
        Skip to content
      </a>
      <Sidebar current={route.page} />
      <main
        id="main"
        ref={main}
        tabIndex={-1}
        aria-label={label}
        className="flex min-w-0 flex-1 flex-col bg-background outline-none"
      >
        <ConnectionBanner />
        <div className="min-h-0 flex-1">
          <PageOutlet key={route.page} page={route.page} />
        </div>
      </main>
    </div>
  );
}
