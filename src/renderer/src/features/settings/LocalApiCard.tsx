import { useId, useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { Copy, KeyRound } from 'lucide-react';
import { toast } from 'sonner';
import { defaultApiPort, type ApiServerStatus } from '@shared/api';
import { Badge } from '@renderer/components/ui/Badge';
import { Button } from '@renderer/components/ui/Button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@renderer/components/ui/Card';
import { Checkbox } from '@renderer/components/ui/Checkbox';
import { Input } from '@renderer/components/ui/Input';
import { Label } from '@renderer/components/ui/Label';
import { useApiMutation } from '@renderer/lib/useApiMutation';
import { apiQueryKey, useApiQuery } from '@renderer/lib/useApiQuery';

/**
 * The local OpenAI-compatible API: a switch, its port, and what a client needs (base URL and key),
 * with an example request. Off by default; on, it listens on this machine only.
 */
export function LocalApiCard() {
  const queryClient = useQueryClient();
  const status = useApiQuery('api.status', {});
  const portId = useId();
  const errorId = useId();
  const [portDraft, setPortDraft] = useState<string | null>(null);
  const configure = useApiMutation('api.configure', {
    onSuccess: (next) => {
      queryClient.setQueryData(apiQueryKey('api.status', {}), next);
      setPortDraft(null);
    },
    onError: () => void queryClient.invalidateQueries({ queryKey: ['api.status'] }),
  });
  const s: ApiServerStatus | undefined = status.data;
  const port = portDraft ?? String(s?.port ?? defaultApiPort);
  const portValue = Number(port);
  const portValid = Number.isInteger(portValue) && portValue >= 1024 && portValue <= 65535;
  const error = configure.error?.message ?? s?.error ?? null;

  const savePort = (event: FormEvent) => {
    event.preventDefault();
    if (!portValid || portValue === s?.port) return;
    configure.mutate({ port: portValue });
  };
  const copy = (text: string, what: string) =>
    void navigator.clipboard.writeText(text).then(
      () => toast.success(`${what} copied`),
      () => toast.error(`Could not copy the ${what.toLowerCase()}`),
    );

  return (
    <Card>
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          Local API
          {s && (
            <Badge variant={s.running ? 'success' : 'outline'} data-testid="api-state">
              {s.running ? 'Running' : 'Off'}
            </Badge>
          )}
        </CardTitle>
        <CardDescription>
          An OpenAI-compatible server on this machine (<code>/v1/models</code>, <code>/v1/chat/completions</code>,
          streaming): editors, scripts and chat apps use your models and fine-tunes through it.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        <label className="flex items-center gap-2 text-[13px]">
          <Checkbox
            checked={s?.enabled ?? false}
            disabled={!s || configure.isPending}
            onCheckedChange={(v) => configure.mutate({ enabled: v === true })}
            aria-label="Serve the local API"
          />
          Serve the local API on 127.0.0.1
        </label>
        <form onSubmit={savePort} className="flex flex-col gap-1.5">
          <Label htmlFor={portId}>Port</Label>
          <div className="flex gap-2">
            <Input
              id={portId}
              inputMode="numeric"
              value={port}
              onChange={(event) => setPortDraft(event.target.value)}
              aria-invalid={!portValid || error ? true : undefined}
              aria-describedby={error ? errorId : undefined}
              className="w-32 tabular-nums"
              disabled={!s}
            />
            <Button
              type="submit"
              variant="outline"
              disabled={!portValid || portValue === s?.port || configure.isPending}
            >
              Change port
            </Button>
          </div>
          {!portValid && <p className="text-[13px] text-destructive">A port from 1024 to 65535.</p>}
          {error && (
            <p id={errorId} className="text-[13px] text-destructive" data-testid="api-error">
              {error}
            </p>
          )}
        </form>
        {s && (
          <dl className="grid grid-cols-[auto_1fr_auto] items-center gap-x-3 gap-y-2 text-[13px]">
            <dt className="text-muted-foreground">Base URL</dt>
            <dd className="truncate font-mono" data-testid="api-base-url">
              {s.baseUrl ?? `http://127.0.0.1:${s.port}/v1 (off)`}
            </dd>
            <dd>
              <Button
                variant="ghost"
                size="sm"
                aria-label="Copy the base URL"
                disabled={!s.baseUrl}
                onClick={() => s.baseUrl && copy(s.baseUrl, 'Base URL')}
              >
                <Copy />
              </Button>
            </dd>
            <dt className="text-muted-foreground">API key</dt>
            <dd className="truncate font-mono" data-testid="api-key">
              {s.key}
            </dd>
            <dd className="flex">
              <Button variant="ghost" size="sm" aria-label="Copy the API key" onClick={() => copy(s.key, 'API key')}>
                <Copy />
              </Button>
              <Button
                variant="ghost"
                size="sm"
                aria-label="Draw a new API key"
                title="Draw a new key: clients using the old one are refused"
                disabled={configure.isPending}
                onClick={() => configure.mutate({ newKey: true })}
              >
                <KeyRound />
              </Button>
            </dd>
          </dl>
        )}
        {s?.running && s.baseUrl && (
          <pre
            className="rounded-md bg-muted px-3 py-2 font-mono text-xs leading-relaxed break-all whitespace-pre-wrap"
            data-testid="api-example"
          >
            {`curl ${s.baseUrl}/chat/completions \\\n  -H "Authorization: Bearer ${s.key}" \\\n  -H "Content-Type: application/json" \\\n  -d '{"model": "<an id from ${s.baseUrl}/models>", "messages": [{"role": "user", "content": "Hello"}]}'`}
          </pre>
        )}
      </CardContent>
    </Card>
  );
}
