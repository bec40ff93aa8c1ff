import { useState } from 'react';
import { toast } from 'sonner';
import { ArchiveRestore, FolderInput, SplitSquareHorizontal, Tag, Tags, Trash2, X } from 'lucide-react';
import type { BulkAction, DatasetInfo } from '@shared/datasets';
import { exampleSplits } from '@shared/datasets';
import { Button } from '@renderer/components/ui/Button';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuTrigger,
} from '@renderer/components/ui/DropdownMenu';
import { Popover, PopoverContent, PopoverTrigger } from '@renderer/components/ui/Popover';
import type { ApiClient } from '@renderer/lib/api';
import { ApiError } from '@renderer/lib/ApiError';
import { notifyError } from '@renderer/lib/notifyError';
import { useApi } from '@renderer/lib/useApi';
import { useApiMutation } from '@renderer/lib/useApiMutation';
import { formatCount, plural, splitLabels } from './format';
import { TagInput } from './TagInput';

/** Per-example undo of a bulk change is offered up to this many examples (one call each). */
const undoLimit = 500;

/** Undoes the last change of each example, a few calls at a time. */
async function undoEach(api: ApiClient, ids: readonly string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 16) {
    await Promise.all(ids.slice(i, i + 16).map((id) => api.call('datasets.examples.undo', { id })));
  }
}

export interface BulkBarProps {
  ids: ReadonlySet<string>;
  /** How many examples match the current filter (for "Select all"). */
  matching: number;
  onSelectAll: () => void;
  selectingAll: boolean;
  onClear: () => void;
  datasets: DatasetInfo[];
  datasetId: string;
  trash: boolean;
  tagSuggestions: readonly string[];
}

/**
 * What to do with the selected examples: add or remove tags, set the split, move them to another
 * dataset, or trash them; each in one transaction, with Undo in the toast. In the trash: restore or
 * delete for good.
 */
export function BulkBar({
  ids,
  matching,
  onSelectAll,
  selectingAll,
  onClear,
  datasets,
  datasetId,
  trash,
  tagSuggestions,
}: BulkBarProps) {
  const api = useApi();
  const bulk = useApiMutation('datasets.examples.bulk');
  const restore = useApiMutation('datasets.trash.restore');
  const empty = useApiMutation('datasets.trash.empty');
  const list = [...ids];
  const count = list.length;

  const run = (action: BulkAction, done: string) =>
    bulk.mutate(
      { ids: list, action },
      {
        onSuccess: ({ changed }) => {
          onClear();
          const undo =
            action.kind === 'delete'
              ? () => restore.mutate({ ids: list })
              : changed > 0 && count <= undoLimit
                ? () =>
                    void undoEach(api, list).then(
                      () => toast.success('Undone'),
                      (error: unknown) => notifyError(ApiError.from(error)),
                    )
                : undefined;
          toast.success(done, {
            description:
              changed === count ? undefined : `${plural(changed, 'example')} changed; the rest already were.`,
            ...(undo ? { action: { label: 'Undo', onClick: undo } } : {}),
          });
        },
      },
    );

  const others = datasets.filter((d) => d.id !== datasetId);
  return (
    <div
      role="toolbar"
      aria-label="Selected examples"
      data-testid="bulk-bar"
      className="flex h-10 shrink-0 items-center gap-1 border-b bg-primary/6 px-3 text-[13px]"
    >
      <span className="font-medium tabular-nums" data-testid="selected-count">
        {formatCount(count)} selected
      </span>
      {count < matching && (
        <Button variant="link" size="sm" className="h-7 px-1.5" disabled={selectingAll} onClick={onSelectAll}>
          Select all {formatCount(matching)}
        </Button>
      )}
      <span className="flex-1" />
      {trash ? (
        <>
          <Button
            variant="ghost"
            size="sm"
            onClick={() =>
              restore.mutate(
                { ids: list },
                { onSuccess: ({ restored }) => (onClear(), toast.success(`${plural(restored, 'example')} restored`)) },
              )
            }
          >
            <ArchiveRestore />
            Restore
          </Button>
          <Button
            variant="ghost"
            size="sm"
            className="text-destructive hover:text-destructive"
            onClick={() =>
              empty.mutate(
                { datasetId, ids: list },
                {
                  onSuccess: ({ removed }) => (
                    onClear(),
                    toast.success(`${plural(removed, 'example')} deleted for good`)
                  ),
                },
              )
            }
          >
            <Trash2 />
            Delete for good
          </Button>
        </>
      ) : (
        <>
          <TagPopover
            label="Add tag"
            icon={<Tag />}
            suggestions={tagSuggestions}
            onApply={(tags) => run({ kind: 'addTags', tags }, `Tagged ${plural(count, 'example')}`)}
          />
          <TagPopover
            label="Remove tag"
            icon={<Tags />}
            suggestions={tagSuggestions}
            onApply={(tags) => run({ kind: 'removeTags', tags }, `Untagged ${plural(count, 'example')}`)}
          />
          <DropdownMenu>
            <DropdownMenuTrigger asChild>
              <Button variant="ghost" size="sm">
                <SplitSquareHorizontal />
                Split
              </Button>
            </DropdownMenuTrigger>
            <DropdownMenuContent>
              {exampleSplits.map((split) => (
                <DropdownMenuItem
                  key={split}
                  onSelect={() =>
                    run({ kind: 'setSplit', split }, `${plural(count, 'example')} set to ${splitLabels[split]}`)
                  }
                >
                  {splitLabels[split]}
                </DropdownMenuItem>
              ))}
            </DropdownMenuContent>
          </DropdownMenu>
          <DropdownMenu>
            <DropdownMenuTrigger asChild>
              <Button variant="ghost" size="sm" disabled={others.length === 0}>
                <FolderInput />
                Move to
              </Button>
            </DropdownMenuTrigger>
            <DropdownMenuContent className="max-h-80 overflow-y-auto">
              <DropdownMenuLabel>Move to dataset</DropdownMenuLabel>
              {others.map((d) => (
                <DropdownMenuItem
                  key={d.id}
                  onSelect={() =>
                    run({ kind: 'move', datasetId: d.id }, `Moved ${plural(count, 'example')} to ${d.name}`)
                  }
                >
                  {d.name}
                </DropdownMenuItem>
              ))}
            </DropdownMenuContent>
          </DropdownMenu>
          <Button
            variant="ghost"
            size="sm"
            className="text-destructive hover:text-destructive"
            onClick={() => run({ kind: 'delete' }, `${plural(count, 'example')} moved to the trash`)}
          >
            <Trash2 />
            Delete
          </Button>
        </>
      )}
      <Button variant="ghost" size="icon-sm" aria-label="Clear selection (Esc)" onClick={onClear}>
        <X />
      </Button>
    </div>
  );
}

function TagPopover({
  label,
  icon,
  suggestions,
  onApply,
}: {
  label: string;
  icon: React.ReactNode;
  suggestions: readonly string[];
  onApply: (tags: string[]) => void;
}) {
  const [open, setOpen] = useState(false);
  const [tags, setTags] = useState<string[]>([]);
  return (
    <Popover open={open} onOpenChange={setOpen}>
      <PopoverTrigger asChild>
        <Button variant="ghost" size="sm">
          {icon}
          {label}
        </Button>
      </PopoverTrigger>
      <PopoverContent align="end" className="grid w-72 gap-2 p-3">
        <TagInput
          label={`${label}: tags`}
          placeholder="Tag, then Enter"
          value={tags}
          suggestions={suggestions}
          onChange={setTags}
        />
        <Button
          size="sm"
          disabled={tags.length === 0}
          onClick={() => {
            onApply(tags);
            setTags([]);
            setOpen(false);
          }}
        >
          {label === 'Add tag' ? 'Add' : 'Remove'} {tags.length > 1 ? `${tags.length} tags` : 'tag'}
        </Button>
      </PopoverContent>
    </Popover>
  );
}
