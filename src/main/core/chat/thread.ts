import type { StoredMessage, ThreadMessage } from '../../../shared/domain';

/**
 * The branch through `leafId` of a message tree, root first, with each message's siblings.
 * Messages must be in creation order. When `leafId` has children the branch continues down the
 * newest child at each step; with no `leafId` it ends at the newest message. Unknown ids give [].
 */
export function buildThread(all: readonly StoredMessage[], leafId: string | null): ThreadMessage[] {
  if (all.length === 0) return [];
  const byId = new Map(all.map((m) => [m.id, m]));
  const children = new Map<string | null, StoredMessage[]>();
  for (const m of all) {
    const list = children.get(m.parentId);
    if (list) list.push(m);
    else children.set(m.parentId, [m]);
  }
  let leaf = leafId === null ? all[all.length - 1] : byId.get(leafId);
  if (!leaf) return [];
  for (let next = children.get(leaf.id)?.at(-1); next; next = children.get(next.id)?.at(-1)) leaf = next;
  const path: StoredMessage[] = [];
  const seen = new Set<string>();
  for (
    let m: StoredMessage | undefined = leaf;
    m && !seen.has(m.id);
    m = m.parentId ? byId.get(m.parentId) : undefined
  ) {
    seen.add(m.id);
    path.push(m);
  }
  path.reverse();
  return path.map((m) => {
    const siblings = children.get(m.parentId) ?? [m];
    return {
      ...m,
      siblingIndex: siblings.indexOf(m),
      siblingCount: siblings.length,
      siblingIds: siblings.map((s) => s.id),
    };
  });
}

/** Root to `id`, inclusive ([] when unknown). */
export function pathTo(all: readonly StoredMessage[], id: string): StoredMessage[] {
  const byId = new Map(all.map((m) => [m.id, m]));
  const path: StoredMessage[] = [];
  const seen = new Set<string>();
  for (let m = byId.get(id); m && !seen.has(m.id); m = m.parentId ? byId.get(m.parentId) : undefined) {
    seen.add(m.id);
    path.push(m);
  }
  return path.reverse();
}
