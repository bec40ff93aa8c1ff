import { useState, type DragEvent } from 'react';
import { FolderOpen } from 'lucide-react';
import type { PickPathOptions } from '@shared/contract';
import { Button } from '@renderer/components/ui/Button';
import { Input } from '@renderer/components/ui/Input';
import { cn } from '@renderer/lib/cn';
import { dragHasFiles, droppedPath } from '@renderer/lib/droppedPath';
import { useApi } from '@renderer/lib/useApi';

/**
 * A file path on the machine running Lathe: typed (browser mode), or from the native dialog and a
 * dropped file (desktop app). The renderer only ever sees paths the person typed or picked.
 */
export function PathField({
  id,
  label,
  value,
  onChange,
  onPicked,
  pick,
  placeholder,
  error,
  droppable = false,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  /** A path came from the dialog or a drop (not typing). */
  onPicked?: (path: string) => void;
  pick: PickPathOptions;
  placeholder: string;
  error?: string | null;
  droppable?: boolean;
}) {
  const api = useApi();
  const [dragging, setDragging] = useState(false);
  const [dropError, setDropError] = useState<string | null>(null);
  const picked = (path: string) => {
    setDropError(null);
    onChange(path);
    onPicked?.(path);
  };
  const browse = async () => {
    const path = await api.files?.pickPath(pick);
    if (path) picked(path);
  };
  const dropZone = droppable
    ? {
        onDragOver: (event: DragEvent) => {
          if (!dragHasFiles(event.dataTransfer)) return;
          event.preventDefault();
          event.dataTransfer.dropEffect = 'copy';
          setDragging(true);
        },
        onDragLeave: () => setDragging(false),
        onDrop: (event: DragEvent) => {
          if (!dragHasFiles(event.dataTransfer)) return;
          event.preventDefault();
          setDragging(false);
          const dropped = droppedPath(api.files, event.dataTransfer);
          if ('path' in dropped) picked(dropped.path);
          else setDropError(dropped.error);
        },
      }
    : {};
  const shownError = error ?? dropError;
  return (
    <div
      className={cn(
        'grid gap-1.5 rounded-lg',
        droppable && 'border border-dashed p-3',
        dragging && 'border-primary bg-primary/5',
      )}
      data-dragging={dragging || undefined}
      {...dropZone}
    >
      <label htmlFor={id} className="text-[13px] font-medium">
        {label}
      </label>
      <div className="flex gap-2">
        <Input
          id={id}
          value={value}
          placeholder={placeholder}
          spellCheck={false}
          autoComplete="off"
          aria-invalid={shownError ? true : undefined}
          onChange={(event) => {
            setDropError(null);
            onChange(event.target.value);
          }}
          className="font-mono text-[12.5px]"
        />
        {api.files && (
          <Button type="button" variant="outline" onClick={() => void browse()}>
            <FolderOpen />
            Browse…
          </Button>
        )}
      </div>
      <p className="text-xs text-muted-foreground">
        {api.files
          ? droppable
            ? 'Browse, drop a file here, or paste its path.'
            : 'Browse, or type the full path.'
          : 'The full path on the machine running the Lathe server.'}
      </p>
      {shownError && (
        <p role="alert" className="text-xs text-destructive">
          {shownError}
        </p>
      )}
    </div>
  );
}
