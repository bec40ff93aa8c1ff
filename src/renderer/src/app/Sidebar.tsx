import type { KeyboardEvent } from 'react';
import { ConnectionIndicator } from '@renderer/features/connection/ConnectionIndicator';
import { JobsIndicator } from '@renderer/features/jobs/JobsIndicator';
import { cn } from '@renderer/lib/cn';
import { shortcutLabel } from '@renderer/lib/platform';
import { LatheMark } from './LatheMark';
import { pageHref, pages, type PageId } from './pages';

/**
 * The app's navigation. Every item is a real link (Tab reaches each one); Up/Down/Home/End move
 * between them too, like a menu.
 */
export function Sidebar({ current }: { current: PageId }) {
  return (
    <aside className="flex w-56 shrink-0 flex-col border-r border-sidebar-border bg-sidebar text-sidebar-foreground">
      <div className="flex h-14 items-center gap-2.5 px-4">
        <LatheMark className="size-7" />
        <span className="text-[15px] font-semibold tracking-tight text-foreground">Lathe</span>
      </div>
      <nav aria-label="Main" className="flex-1 overflow-y-auto px-2 py-2">
        <ul className="flex flex-col gap-0.5" onKeyDown={moveFocus}>
          {pages.map((page, index) => {
            const active = page.id === current;
            const Icon = page.icon;
            const shortcut = shortcutLabel(String(index + 1));
            return (
              <li key={page.id}>
                <a
                  href={pageHref(page.id)}
                  data-nav-item
                  aria-current={active ? 'page' : undefined}
                  aria-keyshortcuts={shortcut.replace('⌘', 'Meta+')}
                  className={cn(
                    'group flex h-8 items-center gap-2.5 rounded-md px-2.5 text-[13px] font-medium outline-none transition-colors',
                    'hover:bg-sidebar-accent hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50',
                    active && 'bg-sidebar-accent text-foreground',
                  )}
                >
                  <Icon
                    aria-hidden
                    className={cn('size-4 shrink-0', active ? 'text-primary' : 'opacity-70')}
                    strokeWidth={active ? 2.25 : 2}
                  />
                  <span className="flex-1">{page.label}</span>
                  <kbd
                    aria-hidden
                    className="font-sans text-[11px] text-muted-foreground opacity-0 transition-opacity group-hover:opacity-100 group-focus-visible:opacity-100"
                  >
                    {shortcut}
                  </kbd>
                </a>
              </li>
            );
          })}
        </ul>
      </nav>
      <div className="flex flex-col gap-1 border-t border-sidebar-border px-2 py-2">
        <JobsIndicator />
        <ConnectionIndicator className="px-2.5 py-1.5" />
      </div>
    </aside>
  );
}

function moveFocus(event: KeyboardEvent<HTMLUListElement>) {
  const items = [...event.currentTarget.querySelectorAll<HTMLAnchorElement>('[data-nav-item]')];
  const index = items.indexOf(document.activeElement as HTMLAnchorElement);
  const target =
    event.key === 'ArrowDown'
      ? items[(index + 1) % items.length]
      : event.key === 'ArrowUp'
        ? items[(index - 1 + items.length) % items.length]
        : event.key === 'Home'
          ? items[0]
          : event.key === 'End'
            ? items.at(-1)
            : undefined;
  if (!target) return;
  event.preventDefault();
  target.focus();
}
