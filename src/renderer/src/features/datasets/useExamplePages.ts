import { useCallback, useEffect, useMemo, useState } from 'react';
import { useQueries, useQueryClient } from '@tanstack/react-query';
import type { ExampleFilter, ExampleSort, ExampleSummary } from '@shared/datasets';
import { useApi } from '@renderer/lib/useApi';
import { apiQueryKey } from '@renderer/lib/useApiQuery';

/** Rows per `datasets.examples.list` call. */
export const pageSize = 100;

export interface ExampleQuery {
  datasetId: string;
  filter: ExampleFilter;
  sort: ExampleSort;
  order: 'asc' | 'desc';
  trash: boolean;
}

type Page = { total: number; offset: number; items: ExampleSummary[] };

function pageInput(query: ExampleQuery, page: number) {
  return {
    datasetId: query.datasetId,
    filter: query.filter,
    sort: query.sort,
    order: query.order,
    trash: query.trash,
    offset: page * pageSize,
    limit: pageSize,
  };
}

/**
 * The example list as pages fetched on demand: only the pages under the visible rows (`range`,
 * row indexes) are asked for, so 100,000 rows cost what a screenful costs. Pages stay cached while
 * the person scrolls back and forth, and refetch when `datasets.changed` invalidates them.
 */
export function useExamplePages(query: ExampleQuery, range: { start: number; end: number }) {
  const api = useApi();
  const queryClient = useQueryClient();
  // Dragging the scrollbar across 1,000 pages should ask only for where it stops.
  const [settled, setSettled] = useState(range);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(range), 60);
    return () => clearTimeout(timer);
  }, [range.start, range.end]); // eslint-disable-line react-hooks/exhaustive-deps

  const pages = useMemo(() => {
    const first = Math.floor(settled.start / pageSize);
    const last = Math.floor(Math.max(settled.start, settled.end) / pageSize);
    const list = [0];
    for (let p = Math.max(1, first); p <= last; p++) list.push(p);
    return list;
  }, [settled.start, settled.end]);

  const results = useQueries({
    queries: pages.map((page) => {
      const input = pageInput(query, page);
      return {
        queryKey: apiQueryKey('datasets.examples.list', input),
        queryFn: () => api.call('datasets.examples.list', input),
        staleTime: 30_000,
      };
    }),
  });

  const first = results[0];
  const total = first?.data?.total ?? results.find((r) => r.data)?.data?.total ?? null;
  const error = results.find((r) => r.error)?.error ?? null;

  const version = results.map((r) => r.dataUpdatedAt).join();

  /** The row at `index` from any cached page (also pages outside the visible range), if loaded. */
  const rowAt = useCallback(
    (index: number): ExampleSummary | undefined => {
      const page = Math.floor(index / pageSize);
      const data = queryClient.getQueryData<Page>(apiQueryKey('datasets.examples.list', pageInput(query, page)));
      return data?.items[index - page * pageSize];
    },
    // Recomputed whenever a page arrives (`version`), so rows re-render with their data.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [queryClient, query, version],
  );

  /** The ids of rows `from..to` (inclusive), fetching pages not yet loaded. */
  const idsInRange = useCallback(
    async (from: number, to: number): Promise<string[]> => {
      const ids: string[] = [];
      for (let page = Math.floor(from / pageSize); page <= Math.floor(to / pageSize); page++) {
        const input = pageInput(query, page);
        const data = await queryClient.fetchQuery({
          queryKey: apiQueryKey('datasets.examples.list', input),
          queryFn: () => api.call('datasets.examples.list', input),
          staleTime: 30_000,
        });
        data.items.forEach((item, i) => {
          const index = page * pageSize + i;
          if (index >= from && index <= to) ids.push(item.id);
        });
      }
      return ids;
    },
    [api, queryClient, query],
  );

  return { total, rowAt, idsInRange, error, isPending: first?.isPending ?? true };
}
