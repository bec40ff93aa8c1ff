import type { ComponentProps } from 'react';
import { pageHref, type PageId } from './pages';

/** A link to one of the app's pages; style it with `<Button asChild>`. */
export function PageLink({ to, ...props }: Omit<ComponentProps<'a'>, 'href'> & { to: PageId }) {
  return <a href={pageHref(to)} {...props} />;
}
