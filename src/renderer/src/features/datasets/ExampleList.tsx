import { useCallback, useEffect, useRef, useState, type MouseEvent, type ReactNode } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { ExampleSummary } from '@shared/datasets';
import { isMac } from '@renderer/lib/platform';
import { ExampleRow, rowHeight } from './ExampleRow';
import { applyClick, clickRange, type Selection } from './selection';
import { useExamplePages, type ExampleQuery } from './useExamplePages';

export interface ExampleListProps {
  query: ExampleQuery;
  selection: Selection;
  onSelection: (selection: Selection) => void;
  /** The keyboard cursor's row index. */
  active: number | null;
  onActive: (index: number | null) => void;
  /** The example shown in the editor. */
  openId: string | null;
  onOpen: (example: ExampleSummary, index: number) => void;
  /** Reports the total and a way to read loaded rows, for keyboard moves and bulk actions. */
  onLoaded: (info: { total: number | null; rowAt: (index: number) => ExampleSummary | undefined }) => void;
  /** What to show when nothing matches (no examples, or no search results). */
  empty: ReactNode;
}

/**
 * The examples of a dataset as a virtualized grid: only the rows on screen exist in the DOM, rows
 * load a page at a time as they come into view (skeletons until then), so it stays fluid at
 * 100,000 rows. Click opens, Ctrl/⌘-click and the checkbox toggle, Shift-click selects a range.
 */
export function ExampleList({
  query,
  selection,
  onSelection,
  active,
  onActive,
  openId,
  onOpen,
  onLoaded,
  empty,
}: ExampleListProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const [range, setRange] = useState({ start: 0, end: 40 });
  const pages = useExamplePages(query, range);
  const total = pages.total ?? 0;

  // The virtualizer keeps mutable state the React Compiler cannot memoize around; this component is
  // simply left uncompiled, which is what the rule warns about.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    // A few rows beyond the view: enough for keyboard moves, few enough that a fast scroll
    // re-renders little per frame.
    overscan: 6,
    // React batches the scroll's re-render with the page fetch state instead of rendering
    // synchronously inside the scroll handler (then once more for onChange's state).
    useFlushSync: false,
    onChange: (instance) => {
      const items = instance.getVirtualItems();
      const start = items[0]?.index ?? 0;
      const end = items[items.length - 1]?.index ?? 0;
      setRange((r) => (r.start === start && r.end === end ? r : { start, end }));
    },
  });

  const { rowAt, idsInRange } = pages;
  useEffect(() => onLoaded({ total: pages.total, rowAt }), [onLoaded, pages.total, rowAt]);

  // Back to the top when the filter, sort or dataset changes.
  const queryKey = JSON.stringify(query);
  useEffect(() => {
    virtualizer.scrollToOffset(0);
  }, [queryKey]); // eslint-disable-line react-hooks/exhaustive-deps

  // Keep the keyboard cursor on screen.
  useEffect(() => {
    if (active !== null && active < total) virtualizer.scrollToIndex(active, { align: 'auto' });
  }, [active, total, virtualizer]);

  const select = useCallback(
    async (index: number, example: ExampleSummary, shift: boolean, toggle: boolean) => {
      if (shift && selection.anchor !== null) {
        const [from, to] = clickRange(selection.anchor, index);
        const rangeIds = await idsInRange(from, to);
        onSelection(applyClick(selection, { index, id: example.id, shift, toggle, rangeIds }));
      } else {
        onSelection(applyClick(selection, { index, id: example.id, shift: false, toggle }));
      }
      onActive(index);
    },
    [selection, idsInRange, onSelection, onActive],
  );

  const onRowClick = useCallback(
    (index: number, example: ExampleSummary, event: MouseEvent) => {
      const toggle = isMac ? event.metaKey : event.ctrlKey;
      if (event.shiftKey || toggle) {
        void select(index, example, event.shiftKey, toggle);
        return;
      }
      onSelection({ ids: new Set(), anchor: index });
      onActive(index);
      onOpen(example, index);
    },
    [select, onSelection, onActive, onOpen],
  );
  const onCheck = useCallback(
    (index: number, example: ExampleSummary, shift: boolean) => void select(index, example, shift, true),
    [select],
  );

  if (pages.total === 0) return <div className="min-h-0 flex-1 overflow-y-auto">{empty}</div>;

  return (
    <div
      ref={scroller}
      role="grid"
      aria-label="Examples"
      aria-rowcount={total}
      aria-multiselectable
      data-testid="example-list"
      data-total={pages.total ?? undefined}
      className="relative min-h-0 flex-1 overflow-y-auto [overflow-anchor:none] contain-strict"
    >
      {pages.total === null ? (
        <div aria-busy aria-label="Loading examples">
          {Array.from({ length: 10 }, (_, i) => (
            <div key={i} style={{ height: rowHeight }}>
              <ExampleRow
                index={i}
                example={undefined}
                selected={false}
                active={false}
                open={false}
                onClick={onRowClick}
                onCheck={onCheck}
              />
            </div>
          ))}
        </div>
      ) : (
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item, _, items) => {
            const example = rowAt(item.index);
            return (
              <div
                // Keyed by slot, not by index: scrolling reuses the same elements with new content
                // instead of tearing down every row and building new ones each frame.
                key={item.index % Math.max(items.length, 1)}
                style={{
                  position: 'absolute',
                  top: 0,
                  left: 0,
                  right: 0,
                  height: rowHeight,
                  transform: `translateY(${item.start}px)`,
                  contain: 'layout paint style',
                }}
              >
                <ExampleRow
                  index={item.index}
                  example={example}
                  selected={example ? selection.ids.has(example.id) : false}
                  active={item.index === active}
                  open={example ? example.id === openId : false}
                  onClick={onRowClick}
                  onCheck={onCheck}
                />
              </div>
            );
          })}
        </div>
      )}
    </div>
  );
}
