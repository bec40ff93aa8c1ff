import {
  Boxes,
  Columns2,
  Database,
  MessageSquare,
  Settings as SettingsIcon,
  SlidersHorizontal,
  type LucideIcon,
} from 'lucide-react';

export interface PageInfo {
  /** The hash route, `#/<id>`. */
  id: string;
  label: string;
  icon: LucideIcon;
}

/**
 * The app's pages in sidebar order; position n is reached with Ctrl/Cmd+n. Adding a page means
 * adding it here and its view in `PageOutlet` (the compiler insists on both).
 */
export const pages = [
  { id: 'chat', label: 'Chat', icon: MessageSquare },
  { id: 'datasets', label: 'Datasets', icon: Database },
  { id: 'compare', label: 'Compare', icon: Columns2 },
  { id: 'finetune', label: 'Fine-tune', icon: SlidersHorizontal },
  { id: 'models', label: 'Models', icon: Boxes },
  { id: 'settings', label: 'Settings', icon: SettingsIcon },
] as const satisfies readonly PageInfo[];

export type PageId = (typeof pages)[number]['id'];

export const pageIds: readonly PageId[] = pages.map((page) => page.id);

export const defaultPage: PageId = 'chat';

export function pageHref(id: PageId): string {
  return `#/${id}`;
}
