import { memo, useEffect, useState, type KeyboardEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { MoreHorizontal, Pencil, Plus, Search, Trash2 } from 'lucide-react';
import type { Conversation, ConversationSummary } from '@shared/domain';
import { Button } from '@renderer/components/ui/Button';
import { Dialog, DialogClose, DialogContent, DialogFooter, DialogHeader } from '@renderer/components/ui/Dialog';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuTrigger,
} from '@renderer/components/ui/DropdownMenu';
import { Input } from '@renderer/components/ui/Input';
import { cn } from '@renderer/lib/cn';
import { useApiMutation } from '@renderer/lib/useApiMutation';
import { useApiQuery } from '@renderer/lib/useApiQuery';
import { applyConversation, conversationsPrefix } from './chatQueries';

export interface ConversationListProps {
  selectedId: string | null;
  onSelect: (id: string | null) => void;
  onNew: () => void;
  creating: boolean;
}

/** The conversations sidebar: new chat, search (titles and message text), rename and delete. */
export function ConversationList({ selectedId, onSelect, onNew, creating }: ConversationListProps) {
  const queryClient = useQueryClient();
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  const [deleting, setDeleting] = useState<ConversationSummary | null>(null);
  useEffect(() => {
    const timer = setTimeout(() => setQuery(search.trim()), 200);
    return () => clearTimeout(timer);
  }, [search]);
  const list = useApiQuery('chat.conversations.list', query ? { search: query } : {}, {
    placeholderData: (previous) => previous,
  });
  const remove = useApiMutation('chat.conversations.delete', {
    onSuccess: (_, { id }) => {
      queryClient.setQueriesData<ConversationSummary[]>({ queryKey: conversationsPrefix }, (l) =>
        l?.filter((c) => c.id !== id),
      );
      void queryClient.invalidateQueries({ queryKey: conversationsPrefix });
      if (id === selectedId) onSelect(null);
      setDeleting(null);
    },
  });
  const conversations = list.data ?? [];

  return (
    <aside aria-label="Conversations" className="flex w-64 shrink-0 flex-col border-r bg-sidebar/50">
      <div className="flex flex-col gap-2 p-3">
        <Button onClick={onNew} disabled={creating} className="w-full justify-start">
          <Plus />
          New chat
        </Button>
        <div className="relative">
          <Search aria-hidden className="absolute top-1/2 left-2.5 size-3.5 -translate-y-1/2 text-muted-foreground" />
          <Input
            type="search"
            aria-label="Search conversations"
            placeholder="Search"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
            className="h-8 pl-8 text-[13px]"
          />
        </div>
      </div>
      <nav aria-label="Conversation list" className="min-h-0 flex-1 overflow-y-auto px-2 pb-3">
        {conversations.length === 0 ? (
          <p className="px-2 py-6 text-center text-xs text-muted-foreground">
            {list.isPending ? 'Loading…' : query ? 'Nothing matches.' : 'No conversations yet.'}
          </p>
        ) : (
          <ul className="flex flex-col gap-0.5">
            {conversations.map((c) => (
              <ConversationRow
                key={c.id}
                conversation={c}
                selected={c.id === selectedId}
                onSelect={onSelect}
                onDelete={setDeleting}
                onRenamed={(updated) => applyConversation(queryClient, updated)}
              />
            ))}
          </ul>
        )}
      </nav>
      <Dialog open={deleting !== null} onOpenChange={(open) => !open && setDeleting(null)}>
        <DialogContent className="max-w-md">
          <DialogHeader
            title={`Delete “${deleting?.title ?? ''}”?`}
            description="Its messages are deleted. Answers you added to a dataset stay there."
          />
          <DialogFooter>
            <DialogClose asChild>
              <Button variant="outline">Cancel</Button>
            </DialogClose>
            <Button
              variant="destructive"
              disabled={remove.isPending}
              onClick={() => deleting && remove.mutate({ id: deleting.id })}
            >
              <Trash2 />
              Delete
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </aside>
  );
}

const ConversationRow = memo(function ConversationRow({
  conversation,
  selected,
  onSelect,
  onDelete,
  onRenamed,
}: {
  conversation: ConversationSummary;
  selected: boolean;
  onSelect: (id: string) => void;
  onDelete: (c: ConversationSummary) => void;
  onRenamed: (c: Conversation) => void;
}) {
  const [renaming, setRenaming] = useState(false);
  const [title, setTitle] = useState(conversation.title);
  const rename = useApiMutation('chat.conversations.rename', {
    onSuccess: (updated) => {
      onRenamed(updated);
      setRenaming(false);
    },
  });
  const save = () => {
    const trimmed = title.trim();
    if (!trimmed || trimmed === conversation.title) return setRenaming(false);
    rename.mutate({ id: conversation.id, title: trimmed });
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Enter') save();
    if (event.key === 'Escape') setRenaming(false);
  };

  if (renaming) {
    return (
      <li className="px-1 py-0.5">
        <Input
          autoFocus
          aria-label="Conversation title"
          value={title}
          maxLength={200}
          onChange={(event) => setTitle(event.target.value)}
          onKeyDown={onKeyDown}
          onBlur={save}
          className="h-8 text-[13px]"
        />
      </li>
    );
  }

  return (
    <li className="group/row relative" data-testid="conversation">
      <button
        type="button"
        aria-current={selected ? 'page' : undefined}
        onClick={() => onSelect(conversation.id)}
        className={cn(
          'flex w-full flex-col items-start rounded-md px-2.5 py-2 pr-8 text-left outline-none hover:bg-sidebar-accent focus-visible:ring-[3px] focus-visible:ring-ring/50',
          selected && 'bg-sidebar-accent',
        )}
      >
        <span className="w-full truncate text-[13px] font-medium">{conversation.title}</span>
        <span className="w-full truncate text-[11px] text-muted-foreground">
          {conversation.snippet ??
            `${conversation.messageCount} message${conversation.messageCount === 1 ? '' : 's'} · ${relative(conversation.updatedAt)}`}
        </span>
      </button>
      <DropdownMenu>
        <DropdownMenuTrigger asChild>
          <Button
            variant="ghost"
            size="icon-sm"
            aria-label={`Actions for ${conversation.title}`}
            className="absolute top-1/2 right-1 size-6 -translate-y-1/2 opacity-0 group-focus-within/row:opacity-100 group-hover/row:opacity-100 data-[state=open]:opacity-100"
          >
            <MoreHorizontal className="size-4" />
          </Button>
        </DropdownMenuTrigger>
        <DropdownMenuContent align="start">
          <DropdownMenuItem
            onSelect={() => {
              setTitle(conversation.title);
              setRenaming(true);
            }}
          >
            <Pencil />
            Rename
          </DropdownMenuItem>
          <DropdownMenuItem destructive onSelect={() => onDelete(conversation)}>
            <Trash2 />
            Delete
          </DropdownMenuItem>
        </DropdownMenuContent>
      </DropdownMenu>
    </li>
  );
});

const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

function relative(ms: number): string {
  const minutes = Math.round((ms - Date.now()) / 60_000);
  if (Math.abs(minutes) < 1) return 'just now';
  if (Math.abs(minutes) < 60) return relativeFormat.format(minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (Math.abs(hours) < 24) return relativeFormat.format(hours, 'hour');
  return relativeFormat.format(Math.round(hours / 24), 'day');
}
