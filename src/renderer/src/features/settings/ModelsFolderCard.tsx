import { useId, useState, type FormEvent } from 'react';
import { toast } from 'sonner';
import { Button } from '@renderer/components/ui/Button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@renderer/components/ui/Card';
import { Input } from '@renderer/components/ui/Input';
import { Label } from '@renderer/components/ui/Label';
import { useSettings } from './useSettings';
import { useUpdateSettings } from './useUpdateSettings';

export function ModelsFolderCard() {
  const settings = useSettings();
  const update = useUpdateSettings();
  const inputId = useId();
  const errorId = useId();
  /** What the person typed; null while the field shows the saved value. */
  const [draft, setDraft] = useState<string | null>(null);
  const saved = settings.data?.modelsDir ?? '';
  const value = draft ?? saved;
  const dirty = draft !== null && draft.trim() !== saved;

  const save = (event: FormEvent) => {
    event.preventDefault();
    if (!dirty) return;
    update.mutate(
      { modelsDir: value.trim() },
      {
        onSuccess: () => {
          setDraft(null);
          toast.success('Models folder saved');
        },
      },
    );
  };

  const error = update.error && update.variables?.modelsDir !== undefined ? update.error : null;
  return (
    <Card>
      <CardHeader>
        <CardTitle>Models folder</CardTitle>
        <CardDescription>Where Lathe keeps downloaded and imported GGUF models.</CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={save} className="flex flex-col gap-2">
          <Label htmlFor={inputId}>Folder path</Label>
          <div className="flex gap-2">
            <Input
              id={inputId}
              name="modelsDir"
              value={value}
              onChange={(event) => {
                setDraft(event.target.value);
                if (update.error) update.reset();
              }}
              placeholder="/absolute/path/to/models"
              spellCheck={false}
              autoComplete="off"
              disabled={!settings.data}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? errorId : undefined}
              className="font-mono text-[13px]"
            />
            <Button type="submit" disabled={!dirty || update.isPending}>
              {update.isPending ? 'Saving…' : 'Save'}
            </Button>
          </div>
          {error ? (
            <p id={errorId} className="text-[13px] text-destructive">
              {error.message}
            </p>
          ) : (
            <p className="text-[13px] text-muted-foreground">An absolute path to a folder that already exists.</p>
          )}
        </form>
      </CardContent>
    </Card>
  );
}
