import type { RefObject } from 'react';
import { ArrowDownWideNarrow, ArrowUpNarrowWide, ListFilter, Search, X } from 'lucide-react';
import type { ExampleFilter, ExampleSort } from '@shared/datasets';
import { exampleSources, exampleSplits } from '@shared/datasets';
import { Badge } from '@renderer/components/ui/Badge';
import { Button } from '@renderer/components/ui/Button';
import { Input } from '@renderer/components/ui/Input';
import { Kbd } from '@renderer/components/ui/Kbd';
import { Popover, PopoverContent, PopoverTrigger } from '@renderer/components/ui/Popover';
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@renderer/components/ui/Select';
import { ToggleGroup, ToggleGroupItem } from '@renderer/components/ui/ToggleGroup';
import { issueLabel, sourceLabels, splitLabels } from './format';
import { TagInput } from './TagInput';

const sortLabels: Record<ExampleSort, string> = {
  created: 'Added',
  updated: 'Edited',
  chars: 'Characters',
  tokens: 'Tokens',
};

/** Filters other than the search, with their chip labels: what the "Filters" button counts. */
function activeFilters(filter: ExampleFilter): { key: keyof ExampleFilter; label: string }[] {
  const chips: { key: keyof ExampleFilter; label: string }[] = [];
  if (filter.tags?.length) chips.push({ key: 'tags', label: `Tag: ${filter.tags.join(', ')}` });
  if (filter.sources?.length)
    chips.push({ key: 'sources', label: `Source: ${filter.sources.map((s) => sourceLabels[s]).join(', ')}` });
  if (filter.splits?.length)
    chips.push({ key: 'splits', label: `Split: ${filter.splits.map((s) => splitLabels[s]).join(', ')}` });
  if (filter.minTokens !== undefined) chips.push({ key: 'minTokens', label: `≥ ${filter.minTokens} tokens` });
  if (filter.maxTokens !== undefined) chips.push({ key: 'maxTokens', label: `≤ ${filter.maxTokens} tokens` });
  if (filter.minChars !== undefined) chips.push({ key: 'minChars', label: `≥ ${filter.minChars} chars` });
  if (filter.maxChars !== undefined) chips.push({ key: 'maxChars', label: `≤ ${filter.maxChars} chars` });
  if (filter.hasIssues !== undefined)
    chips.push({ key: 'hasIssues', label: filter.hasIssues ? 'Has issues' : 'No issues' });
  if (filter.issueKind) chips.push({ key: 'issueKind', label: `Issue: ${issueLabel(filter.issueKind)}` });
  return chips;
}

const toNumber = (value: string): number | undefined =>
  value.trim() === '' ? undefined : Math.max(0, Math.floor(Number(value)) || 0);

export interface ExampleToolbarProps {
  search: string;
  onSearch: (search: string) => void;
  searchRef: RefObject<HTMLInputElement | null>;
  filter: ExampleFilter;
  onFilter: (filter: ExampleFilter) => void;
  sort: ExampleSort;
  order: 'asc' | 'desc';
  onSort: (sort: ExampleSort, order: 'asc' | 'desc') => void;
  tagSuggestions: readonly string[];
  /** "1,204 examples" or "12 of 1,204". */
  summary: string;
}

/** Search (full text, each word a prefix), filters in a popover with removable chips, and sort. */
export function ExampleToolbar({ searchRef, ...props }: ExampleToolbarProps) {
  const { filter, onFilter } = props;
  const chips = activeFilters(filter);
  const set = (patch: Partial<ExampleFilter>) => {
    const next = { ...filter, ...patch } as Record<string, unknown>;
    for (const [k, v] of Object.entries(next))
      if (v === undefined || (Array.isArray(v) && v.length === 0)) delete next[k];
    onFilter(next as ExampleFilter);
  };
  return (
    <div className="flex flex-col gap-2 border-b px-3 py-2">
      <div className="flex items-center gap-2">
        <div className="relative min-w-0 flex-1">
          <Search aria-hidden className="absolute top-1/2 left-2.5 size-3.5 -translate-y-1/2 text-muted-foreground" />
          <Input
            ref={searchRef}
            type="search"
            aria-label="Search examples"
            placeholder="Search prompts and answers"
            value={props.search}
            onChange={(event) => props.onSearch(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Escape') {
                if (props.search) props.onSearch('');
                event.currentTarget.blur();
              }
            }}
            className="h-8 pr-8 pl-8 text-[13px]"
          />
          {!props.search && <Kbd className="absolute top-1/2 right-2 -translate-y-1/2">/</Kbd>}
        </div>
        <Popover>
          <PopoverTrigger asChild>
            <Button variant="outline" size="sm" aria-label="Filters">
              <ListFilter />
              Filters
              {chips.length > 0 && (
                <span className="rounded-full bg-primary px-1.5 text-[10.5px] leading-4 font-semibold text-primary-foreground">
                  {chips.length}
                </span>
              )}
            </Button>
          </PopoverTrigger>
          <PopoverContent align="end" className="grid w-96 gap-3.5 p-4">
            <FilterRow label="Split">
              <ToggleGroup
                type="multiple"
                aria-label="Filter by split"
                value={filter.splits ?? []}
                onValueChange={(v) => set({ splits: v as ExampleFilter['splits'] })}
              >
                {exampleSplits.map((s) => (
                  <ToggleGroupItem key={s} value={s}>
                    {splitLabels[s]}
                  </ToggleGroupItem>
                ))}
              </ToggleGroup>
            </FilterRow>
            <FilterRow label="Source">
              <ToggleGroup
                type="multiple"
                aria-label="Filter by source"
                value={filter.sources ?? []}
                onValueChange={(v) => set({ sources: v as ExampleFilter['sources'] })}
              >
                {exampleSources.map((s) => (
                  <ToggleGroupItem key={s} value={s}>
                    {sourceLabels[s]}
                  </ToggleGroupItem>
                ))}
              </ToggleGroup>
            </FilterRow>
            <FilterRow label="Tags (any of)">
              <TagInput
                label="Filter by tag"
                placeholder="Type a tag, Enter"
                value={filter.tags ?? []}
                suggestions={props.tagSuggestions}
                onChange={(tags) => set({ tags })}
              />
            </FilterRow>
            <FilterRow label="Length in tokens">
              <div className="flex items-center gap-2">
                <Input
                  aria-label="Minimum tokens"
                  inputMode="numeric"
                  placeholder="min"
                  value={filter.minTokens ?? ''}
                  onChange={(e) => set({ minTokens: toNumber(e.target.value) })}
                  className="h-8 w-24 text-[13px]"
                />
                <span className="text-muted-foreground">–</span>
                <Input
                  aria-label="Maximum tokens"
                  inputMode="numeric"
                  placeholder="max"
                  value={filter.maxTokens ?? ''}
                  onChange={(e) => set({ maxTokens: toNumber(e.target.value) })}
                  className="h-8 w-24 text-[13px]"
                />
                <span className="text-[11px] text-muted-foreground">counted only</span>
              </div>
            </FilterRow>
            <FilterRow label="Length in characters">
              <div className="flex items-center gap-2">
                <Input
                  aria-label="Minimum characters"
                  inputMode="numeric"
                  placeholder="min"
                  value={filter.minChars ?? ''}
                  onChange={(e) => set({ minChars: toNumber(e.target.value) })}
                  className="h-8 w-24 text-[13px]"
                />
                <span className="text-muted-foreground">–</span>
                <Input
                  aria-label="Maximum characters"
                  inputMode="numeric"
                  placeholder="max"
                  value={filter.maxChars ?? ''}
                  onChange={(e) => set({ maxChars: toNumber(e.target.value) })}
                  className="h-8 w-24 text-[13px]"
                />
              </div>
            </FilterRow>
            <FilterRow label="Hygiene">
              <ToggleGroup
                type="single"
                variant="segmented"
                aria-label="Filter by issues"
                value={filter.hasIssues === undefined ? 'any' : filter.hasIssues ? 'yes' : 'no'}
                onValueChange={(v) => v && set({ hasIssues: v === 'any' ? undefined : v === 'yes' })}
              >
                <ToggleGroupItem value="any">Any</ToggleGroupItem>
                <ToggleGroupItem value="yes">Has issues</ToggleGroupItem>
                <ToggleGroupItem value="no">Clean</ToggleGroupItem>
              </ToggleGroup>
            </FilterRow>
            {chips.length > 0 && (
              <Button variant="ghost" size="sm" className="justify-self-start" onClick={() => onFilter({})}>
                Clear all filters
              </Button>
            )}
          </PopoverContent>
        </Popover>
        <Select value={props.sort} onValueChange={(s) => props.onSort(s as ExampleSort, props.order)}>
          <SelectTrigger aria-label="Sort by" className="w-32">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            {(Object.keys(sortLabels) as ExampleSort[]).map((s) => (
              <SelectItem key={s} value={s}>
                {sortLabels[s]}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
        <Button
          variant="outline"
          size="icon-sm"
          className="size-8"
          aria-label={props.order === 'asc' ? 'Ascending (click for descending)' : 'Descending (click for ascending)'}
          onClick={() => props.onSort(props.sort, props.order === 'asc' ? 'desc' : 'asc')}
        >
          {props.order === 'asc' ? <ArrowUpNarrowWide /> : <ArrowDownWideNarrow />}
        </Button>
      </div>
      {(chips.length > 0 || props.summary) && (
        <div className="flex min-h-5 flex-wrap items-center gap-1.5">
          <span className="text-xs text-muted-foreground tabular-nums" data-testid="list-summary">
            {props.summary}
          </span>
          {chips.map((chip) => (
            <Badge key={chip.key} variant="secondary" className="gap-0.5 pr-0.5">
              {chip.label}
              <button
                type="button"
                aria-label={`Remove filter ${chip.label}`}
                onClick={() => set({ [chip.key]: undefined })}
                className="rounded-full p-0.5 outline-none hover:bg-accent focus-visible:ring-2 focus-visible:ring-ring/50"
              >
                <X className="size-3" />
              </button>
            </Badge>
          ))}
        </div>
      )}
    </div>
  );
}

function FilterRow({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="grid gap-1.5">
      <span className="text-xs font-medium text-muted-foreground">{label}</span>
      {children}
    </div>
  );
}
