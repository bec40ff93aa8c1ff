import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { toast } from 'sonner';
import {
  Database,
  Download,
  FileInput,
  FilterX,
  Inbox,
  MessageSquare,
  Plus,
  SearchX,
  Settings2,
  SlidersHorizontal,
  Trash2,
} from 'lucide-react';
import type { DatasetInfo, ExampleFilter, ExampleSort, ExampleSummary } from '@shared/datasets';
import { PageLink } from '@renderer/app/PageLink';
import { EmptyState } from '@renderer/components/EmptyState';
import { Page } from '@renderer/components/Page';
import { Button } from '@renderer/components/ui/Button';
import { Kbd } from '@renderer/components/ui/Kbd';
import { ToggleGroup, ToggleGroupItem } from '@renderer/components/ui/ToggleGroup';
import { useApi } from '@renderer/lib/useApi';
import { useApiMutation } from '@renderer/lib/useApiMutation';
import { fineTuneHref } from '@renderer/features/finetune/fineTuneRoute';
import { BulkBar } from './BulkBar';
import { CreateDatasetDialog, DatasetSettingsDialog } from './DatasetDialogs';
import { useDatasets } from './datasetQueries';
import { DatasetSidebar } from './DatasetSidebar';
import { ExampleEditor, type EditorGuard } from './ExampleEditor';
import { ExampleList } from './ExampleList';
import { ExampleToolbar } from './ExampleToolbar';
import { ExportDialog } from './ExportDialog';
import { formatCount, plural, sourceLabels, splitLabels } from './format';
import { HygienePanel } from './HygienePanel';
import { ImportDialog } from './ImportDialog';
import { emptySelection, type Selection } from './selection';
import { TokensPanel } from './TokensPanel';
import { useDatasetRoute } from './useDatasetRoute';
import type { ExampleQuery } from './useExamplePages';

type Tab = 'examples' | 'trash' | 'tokens' | 'hygiene';
const tabLabels: Record<Tab, string> = { examples: 'Examples', tokens: 'Tokens', hygiene: 'Hygiene', trash: 'Trash' };

/** The Datasets page: the dataset picker, then its examples, token lengths, hygiene report and trash. */
export function DatasetsView() {
  const datasets = useDatasets();
  const route = useDatasetRoute();
  const [creating, setCreating] = useState(false);
  const [importing, setImporting] = useState(false);
  const list = useMemo(() => datasets.data ?? [], [datasets.data]);
  const dataset = list.find((d) => d.id === route.datasetId) ?? null;

  // No dataset in the address (or a deleted one): open the first. Not while the list is being
  // refetched (a dataset just created may not be in it yet), nor while leaving the page.
  useEffect(() => {
    if (route.inPage && datasets.isSuccess && !datasets.isFetching && !dataset && list[0]) route.open(list[0].id);
  }, [route, datasets.isSuccess, datasets.isFetching, dataset, list]);
  /** Opens a dataset that may have just been created: the list is refetched first. */
  const openNew = (id: string) => void datasets.refetch().then(() => route.open(id));

  const dialogs = (
    <>
      <CreateDatasetDialog open={creating} onOpenChange={setCreating} onCreated={(d) => openNew(d.id)} />
      <ImportDialog
        open={importing}
        onOpenChange={setImporting}
        datasetId={dataset?.id ?? null}
        datasetName={dataset?.name ?? null}
        onImported={openNew}
      />
    </>
  );

  // The dialogs stay at one place in the tree, so importing the first dataset does not unmount them.
  let content: React.ReactNode;
  if (datasets.isSuccess && list.length === 0) {
    content = (
      <Page title="Datasets" description="Curate the conversations you fine-tune on.">
        <EmptyState
          icon={Database}
          title="No datasets yet"
          description="A dataset is a set of conversations with the answers you want the model to give. Import a JSONL, JSON or CSV file, start an empty one, or keep good answers from Chat."
          actions={
            <>
              <Button onClick={() => setImporting(true)}>
                <FileInput />
                Import a file
              </Button>
              <Button variant="outline" onClick={() => setCreating(true)}>
                <Plus />
                New dataset
              </Button>
              <Button variant="ghost" asChild>
                <PageLink to="chat">
                  <MessageSquare />
                  Start in Chat
                </PageLink>
              </Button>
            </>
          }
          footnote="OpenAI messages, ShareGPT, Alpaca, preference pairs and CSV are read; the format is detected."
        />
      </Page>
    );
  } else {
    content = (
      <div className="flex h-full min-h-0">
        <DatasetSidebar
          datasets={list}
          loading={datasets.isPending}
          selectedId={dataset?.id ?? null}
          onSelect={(id) => route.open(id)}
          onCreate={() => setCreating(true)}
        />
        <div className="min-w-0 flex-1">
          {dataset ? (
            <DatasetWorkspace
              key={dataset.id}
              dataset={dataset}
              datasets={list}
              exampleId={route.exampleId}
              openExample={(id) => route.open(dataset.id, id)}
              onImport={() => setImporting(true)}
              onDeleted={() => route.open(null)}
            />
          ) : (
            <Page title="Datasets">
              <div />
            </Page>
          )}
        </div>
      </div>
    );
  }

  return (
    <>
      {content}
      {dialogs}
    </>
  );
}

function DatasetWorkspace({
  dataset,
  datasets,
  exampleId,
  openExample,
  onImport,
  onDeleted,
}: {
  dataset: DatasetInfo;
  datasets: DatasetInfo[];
  exampleId: string | null;
  openExample: (id: string | null) => void;
  onImport: () => void;
  onDeleted: () => void;
}) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [tab, setTab] = useState<Tab>('examples');
  const [settings, setSettings] = useState(false);
  const [exporting, setExporting] = useState(false);
  const [search, setSearch] = useState('');
  const [searchQuery, setSearchQuery] = useState('');
  const [filter, setFilter] = useState<ExampleFilter>({});
  const [sort, setSort] = useState<{ sort: ExampleSort; order: 'asc' | 'desc' }>({ sort: 'created', order: 'asc' });
  const [selection, setSelection] = useState<Selection>(emptySelection);
  const [active, setActive] = useState<number | null>(null);
  const [selectingAll, setSelectingAll] = useState(false);
  const [total, setTotal] = useState<number | null>(null);
  const rowAt = useRef<(index: number) => ExampleSummary | undefined>(() => undefined);
  const searchRef = useRef<HTMLInputElement>(null);
  const guard = useRef<EditorGuard | null>(null);
  const trash = tab === 'trash';

  useEffect(() => {
    const timer = setTimeout(() => setSearchQuery(search.trim()), 150);
    return () => clearTimeout(timer);
  }, [search]);

  const query: ExampleQuery = useMemo(
    () => ({
      datasetId: dataset.id,
      filter: searchQuery ? { ...filter, search: searchQuery } : filter,
      sort: sort.sort,
      order: sort.order,
      trash,
    }),
    [dataset.id, filter, searchQuery, sort, trash],
  );
  // A new question is a new list: the cursor and the selection belong to the old one.
  const [listedQuery, setListedQuery] = useState(query);
  if (listedQuery !== query) {
    setListedQuery(query);
    setSelection(emptySelection);
    setActive(null);
  }

  const onLoaded = useCallback(
    (info: { total: number | null; rowAt: (index: number) => ExampleSummary | undefined }) => {
      rowAt.current = info.rowAt;
      setTotal(info.total);
    },
    [],
  );

  const bulk = useApiMutation('datasets.examples.bulk');
  const restore = useApiMutation('datasets.trash.restore');
  const emptyTrash = useApiMutation('datasets.trash.empty');
  const createExample = useApiMutation('datasets.examples.create', {
    onSuccess: (example) => {
      setTab('examples');
      openExample(example.id);
    },
  });

  const newExample = () =>
    createExample.mutate({
      datasetId: dataset.id,
      messages: [
        { role: 'user', content: '' },
        { role: 'assistant', content: '' },
      ],
    });

  const guarded = (action: () => void) => (guard.current ? guard.current(action) : action());
  const openAt = (index: number) => {
    const row = rowAt.current(index);
    setActive(index);
    if (row) guarded(() => openExample(row.id));
  };
  const trashIds = (ids: string[]) =>
    bulk.mutate(
      { ids, action: { kind: 'delete' } },
      {
        onSuccess: ({ changed }) => {
          setSelection(emptySelection);
          if (exampleId && ids.includes(exampleId)) openExample(null);
          toast.success(`${plural(changed, 'example')} moved to the trash`, {
            action: { label: 'Undo', onClick: () => restore.mutate({ ids }) },
          });
        },
      },
    );
  const selectAll = async () => {
    setSelectingAll(true);
    try {
      const { ids } = await api.call('datasets.examples.ids', { datasetId: dataset.id, filter: query.filter, trash });
      setSelection({ ids: new Set(ids), anchor: null });
    } finally {
      setSelectingAll(false);
    }
  };
  const showExamples = (next: ExampleFilter) => {
    setFilter(next);
    setSearch('');
    setTab('examples');
  };

  // Keyboard: j/k or arrows move, e or Enter opens, x selects, / searches, Delete trashes, Esc closes.
  const keys = useRef<(event: KeyboardEvent) => void>(() => {});
  const onKeyDown = (event: KeyboardEvent) => {
    if (tab !== 'examples' && tab !== 'trash') return;
    if (document.querySelector('[role="dialog"], [role="menu"], [role="listbox"]')) return;
    const target = event.target as HTMLElement | null;
    const typing = target?.closest('input, textarea, select, [contenteditable="true"]') !== null && target !== null;
    const mod = event.ctrlKey || event.metaKey;
    if (mod && event.key.toLowerCase() === 'a' && !typing) {
      event.preventDefault();
      void selectAll();
      return;
    }
    if (typing || mod || event.altKey) return;
    const count = total ?? 0;
    const move = (by: number) => {
      if (count === 0) return;
      const next = Math.min(count - 1, Math.max(0, (active ?? -1) + by));
      if (exampleId) openAt(next);
      else setActive(next);
    };
    switch (event.key) {
      case '/':
        event.preventDefault();
        searchRef.current?.focus();
        break;
      case 'j':
      case 'ArrowDown':
        event.preventDefault();
        move(1);
        break;
      case 'k':
      case 'ArrowUp':
        event.preventDefault();
        move(-1);
        break;
      case 'e':
      case 'Enter':
        if (active !== null) {
          event.preventDefault();
          openAt(active);
        }
        break;
      case 'x': {
        const row = active !== null ? rowAt.current(active) : undefined;
        if (!row) break;
        const ids = new Set(selection.ids);
        if (ids.has(row.id)) ids.delete(row.id);
        else ids.add(row.id);
        setSelection({ ids, anchor: active });
        break;
      }
      case 'Delete':
      case 'Backspace': {
        if (trash) break;
        const row = active !== null ? rowAt.current(active) : undefined;
        const ids = selection.ids.size > 0 ? [...selection.ids] : exampleId ? [exampleId] : row ? [row.id] : [];
        if (ids.length > 0) {
          event.preventDefault();
          trashIds(ids);
        }
        break;
      }
      case 'Escape':
        if (exampleId) guarded(() => openExample(null));
        else if (selection.ids.size > 0) setSelection(emptySelection);
        break;
    }
  };
  useEffect(() => {
    keys.current = onKeyDown;
  });
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => keys.current(event);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const tagSuggestions = useMemo(() => {
    const tags = new Set(dataset.tags);
    for (const [, page] of queryClient.getQueriesData<{ items: ExampleSummary[] }>({
      queryKey: ['datasets.examples.list'],
    })) {
      for (const item of page?.items ?? []) for (const tag of item.tags) tags.add(tag);
    }
    return [...tags].sort();
    // Recomputed when the list's size changes or the dataset does; good enough for suggestions.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [dataset, total, tab]);

  const filtered = Object.keys(query.filter).length > 0;
  const counts = dataset.counts;
  const summary =
    total === null
      ? ''
      : filtered
        ? `${formatCount(total)} of ${plural(trash ? counts.trash : counts.total, 'example')}`
        : plural(total, trash ? 'example in the trash' : 'example', trash ? 'examples in the trash' : 'examples');

  const emptyView = trash ? (
    <EmptyState
      icon={Trash2}
      title="The trash is empty"
      description="Deleted examples wait here until you empty the trash."
    />
  ) : filtered ? (
    <EmptyState
      icon={SearchX}
      title="Nothing matches"
      description={
        searchQuery ? `No example contains “${searchQuery}” with these filters.` : 'No example passes these filters.'
      }
      actions={
        <Button
          variant="outline"
          onClick={() => {
            setFilter({});
            setSearch('');
          }}
        >
          <FilterX />
          Clear search and filters
        </Button>
      }
    />
  ) : (
    <EmptyState
      icon={Inbox}
      title="No examples yet"
      description="Import a file, write an example by hand, or keep good answers from Chat with “Add to dataset”."
      actions={
        <>
          <Button onClick={onImport}>
            <FileInput />
            Import a file
          </Button>
          <Button variant="outline" onClick={() => newExample()}>
            <Plus />
            New example
          </Button>
        </>
      }
    />
  );
  return (
    <Page
      title={dataset.name}
      description={dataset.description || `${plural(counts.total, 'example')}`}
      className="flex flex-col overflow-hidden"
      actions={
        <>
          <Button variant="ghost" size="sm" onClick={newExample} disabled={createExample.isPending}>
            <Plus />
            New example
          </Button>
          <Button variant="outline" size="sm" onClick={onImport}>
            <FileInput />
            Import
          </Button>
          <Button variant="outline" size="sm" onClick={() => setExporting(true)}>
            <Download />
            Export
          </Button>
          <Button variant="outline" size="sm" asChild>
            <a href={fineTuneHref({ datasetId: dataset.id })} aria-label="Fine-tune on this dataset">
              <SlidersHorizontal />
              Fine-tune
            </a>
          </Button>
          <Button variant="ghost" size="icon-sm" aria-label="Dataset settings" onClick={() => setSettings(true)}>
            <Settings2 />
          </Button>
        </>
      }
    >
      <div className="flex h-11 shrink-0 items-center gap-3 border-b px-3">
        <ToggleGroup
          type="single"
          variant="segmented"
          aria-label="Dataset sections"
          value={tab}
          onValueChange={(t) => {
            if (!t) return;
            guarded(() => {
              setTab(t as Tab);
              if (exampleId && t !== 'examples') openExample(null);
            });
          }}
        >
          {(Object.keys(tabLabels) as Tab[]).map((t) => (
            <ToggleGroupItem key={t} value={t}>
              {tabLabels[t]}
              {t === 'trash' && counts.trash > 0 && (
                <span className="text-[11px] text-muted-foreground">{formatCount(counts.trash)}</span>
              )}
              {t === 'hygiene' && counts.withIssues > 0 && (
                <span className="text-[11px] text-warning">{formatCount(counts.withIssues)}</span>
              )}
            </ToggleGroupItem>
          ))}
        </ToggleGroup>
        <dl
          className="ml-auto hidden min-w-0 items-center gap-3 truncate text-[11.5px] text-muted-foreground md:flex"
          data-testid="dataset-counts"
        >
          {(['train', 'eval', 'auto'] as const).map((s) => (
            <div key={s} className="flex gap-1">
              <dt>{splitLabels[s]}</dt>
              <dd className="font-medium text-foreground tabular-nums">{formatCount(counts.split[s])}</dd>
            </div>
          ))}
          <span aria-hidden className="h-3 w-px bg-border" />
          {(['import', 'chat', 'manual', 'comparison'] as const)
            .filter((s) => counts.source[s] > 0)
            .map((s) => (
              <div key={s} className="flex gap-1">
                <dt>{sourceLabels[s]}</dt>
                <dd className="font-medium text-foreground tabular-nums">{formatCount(counts.source[s])}</dd>
              </div>
            ))}
          {dataset.tokens.counted > 0 && dataset.tokens.mean !== null && (
            <>
              <span aria-hidden className="h-3 w-px bg-border" />
              <div className="flex gap-1">
                <dt>Mean</dt>
                <dd className="font-medium text-foreground tabular-nums">
                  {formatCount(Math.round(dataset.tokens.mean))} tok
                </dd>
              </div>
            </>
          )}
        </dl>
      </div>

      {tab === 'tokens' ? (
        <div className="min-h-0 flex-1 overflow-y-auto">
          <TokensPanel dataset={dataset} onShowExamples={showExamples} />
        </div>
      ) : tab === 'hygiene' ? (
        <div className="min-h-0 flex-1 overflow-y-auto">
          <HygienePanel
            dataset={dataset}
            onShowExamples={showExamples}
            onOpenExample={(id) => {
              setTab('examples');
              openExample(id);
            }}
          />
        </div>
      ) : (
        <div className="flex min-h-0 flex-1">
          <div className="flex min-w-0 flex-1 flex-col">
            <ExampleToolbar
              search={search}
              onSearch={setSearch}
              searchRef={searchRef}
              filter={filter}
              onFilter={setFilter}
              sort={sort.sort}
              order={sort.order}
              onSort={(s, o) => setSort({ sort: s, order: o })}
              tagSuggestions={tagSuggestions}
              summary={summary}
            />
            {selection.ids.size > 0 && (
              <BulkBar
                ids={selection.ids}
                matching={total ?? 0}
                onSelectAll={() => void selectAll()}
                selectingAll={selectingAll}
                onClear={() => setSelection(emptySelection)}
                datasets={datasets}
                datasetId={dataset.id}
                trash={trash}
                tagSuggestions={tagSuggestions}
              />
            )}
            {trash && counts.trash > 0 && selection.ids.size === 0 && (
              <div className="flex h-10 shrink-0 items-center gap-2 border-b px-3 text-[13px] text-muted-foreground">
                <span className="flex-1">Examples here are left out of exports and training.</span>
                <Button
                  variant="ghost"
                  size="sm"
                  className="text-destructive hover:text-destructive"
                  disabled={emptyTrash.isPending}
                  onClick={() =>
                    emptyTrash.mutate(
                      { datasetId: dataset.id },
                      { onSuccess: ({ removed }) => toast.success(`${plural(removed, 'example')} deleted for good`) },
                    )
                  }
                >
                  <Trash2 />
                  Empty trash
                </Button>
              </div>
            )}
            <ExampleList
              query={query}
              selection={selection}
              onSelection={setSelection}
              active={active}
              onActive={setActive}
              openId={exampleId}
              onOpen={(example) => guarded(() => openExample(example.id))}
              onLoaded={onLoaded}
              empty={emptyView}
            />
            <footer
              className="flex h-8 shrink-0 items-center gap-3 overflow-hidden border-t px-3 text-[11px] whitespace-nowrap text-muted-foreground"
              data-testid="shortcut-hint"
            >
              <span>
                <Kbd>j</Kbd> <Kbd>k</Kbd> move
              </span>
              <span>
                <Kbd>e</Kbd> edit
              </span>
              <span>
                <Kbd>x</Kbd> select
              </span>
              <span>
                <Kbd>/</Kbd> search
              </span>
              <span>
                <Kbd>Del</Kbd> trash
              </span>
              <span>
                <Kbd>Esc</Kbd> close
              </span>
              <span className="hidden xl:inline">Shift-click a range, Ctrl/⌘-click to add</span>
            </footer>
          </div>
          {exampleId && tab === 'examples' && (
            <ExampleEditor
              key={exampleId}
              exampleId={exampleId}
              position={
                active !== null && total !== null ? `${formatCount(active + 1)} of ${formatCount(total)}` : undefined
              }
              tagSuggestions={tagSuggestions}
              onClose={() => openExample(null)}
              guardRef={guard}
            />
          )}
        </div>
      )}

      <ExportDialog open={exporting} onOpenChange={setExporting} dataset={dataset} />
      {settings && (
        <DatasetSettingsDialog dataset={dataset} open={settings} onOpenChange={setSettings} onDeleted={onDeleted} />
      )}
    </Page>
  );
}
