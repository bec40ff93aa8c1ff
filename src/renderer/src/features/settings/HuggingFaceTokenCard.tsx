import { useId, useState, type FormEvent } from 'react';
import { toast } from 'sonner';
import { Button } from '@renderer/components/ui/Button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@renderer/components/ui/Card';
import { Input } from '@renderer/components/ui/Input';
import { Label } from '@renderer/components/ui/Label';
import { useSettings } from './useSettings';
import { useUpdateSettings } from './useUpdateSettings';

/**
 * The Hugging Face access token for gated repositories (Llama, Gemma). Write-only: the core keeps it
 * and only says whether one is stored, so it never travels back to a renderer.
 */
export function HuggingFaceTokenCard() {
  const settings = useSettings();
  const update = useUpdateSettings();
  const inputId = useId();
  const errorId = useId();
  const [draft, setDraft] = useState('');
  const stored = settings.data?.huggingFaceTokenSet ?? false;

  const save = (event: FormEvent) => {
    event.preventDefault();
    if (!draft.trim()) return;
    update.mutate(
      { huggingFaceToken: draft.trim() },
      {
        onSuccess: () => {
          setDraft('');
          toast.success('Hugging Face token saved');
        },
      },
    );
  };
  const forget = () =>
    update.mutate({ huggingFaceToken: null }, { onSuccess: () => toast.success('Hugging Face token removed') });

  const error = update.error && update.variables?.huggingFaceToken !== undefined ? update.error : null;
  return (
    <Card>
      <CardHeader>
        <CardTitle>Hugging Face</CardTitle>
        <CardDescription>
          Gated models (Llama, Gemma) need an access token from huggingface.co/settings/tokens and their license
          accepted on the model’s page. The token is sent to the hub only.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={save} className="flex flex-col gap-2">
          <Label htmlFor={inputId}>Access token</Label>
          <div className="flex gap-2">
            <Input
              id={inputId}
              name="huggingFaceToken"
              type="password"
              value={draft}
              onChange={(event) => {
                setDraft(event.target.value);
                if (update.error) update.reset();
              }}
              placeholder={stored ? 'A token is stored — type a new one to replace it' : 'hf_…'}
              spellCheck={false}
              autoComplete="off"
              disabled={!settings.data}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? errorId : undefined}
              className="font-mono text-[13px]"
            />
            <Button type="submit" disabled={!draft.trim() || update.isPending}>
              Save
            </Button>
            {stored && (
              <Button type="button" variant="outline" onClick={forget} disabled={update.isPending}>
                Remove
              </Button>
            )}
          </div>
          {error ? (
            <p id={errorId} className="text-[13px] text-destructive">
              {error.message}
            </p>
          ) : (
            <p className="text-[13px] text-muted-foreground" data-testid="hf-token-state">
              {stored ? 'A token is stored.' : 'No token stored.'}
            </p>
          )}
        </form>
      </CardContent>
    </Card>
  );
}
