import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { Download, ListPlus, Trophy } from 'lucide-react';
import type { HeadToHead, PreferenceFormat } from '@shared/compare';
import { Button } from '@renderer/components/ui/Button';
import { Checkbox } from '@renderer/components/ui/Checkbox';
import { Input } from '@renderer/components/ui/Input';
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@renderer/components/ui/Select';
import { toast } from 'sonner';
import { useApiEvent } from '@renderer/lib/useApiEvent';
import { useApiMutation } from '@renderer/lib/useApiMutation';
import { useApiQuery } from '@renderer/lib/useApiQuery';
import { fineTuneHref } from '@renderer/features/finetune/fineTuneRoute';
import { DatasetSelect } from './DatasetSelect';

const ranges = { all: 'All time', '1': 'Last 24 hours', '7': 'Last 7 days', '30': 'Last 30 days' } as const;
type Range = keyof typeof ranges;

const formats: Record<PreferenceFormat, string> = {
  'trl-conversational': 'TRL (conversational)',
  trl: 'TRL (strings)',
  'llama-factory': 'LLaMA-Factory (ShareGPT)',
};

const percent = (v: number) => `${Math.round(v * 100)}%`;

/** Results: win rates with 95 % intervals, the Bradley-Terry leaderboard, and the preference-pair export. */
export function ResultsPanel({ datasets }: { datasets: { id: string; name: string }[] }) {
  const queryClient = useQueryClient();
  const [range, setRange] = useState<Range>('all');
  const [datasetId, setDatasetId] = useState<string>('any');
  // The window is fixed when the range is picked, so the query key stays stable while it is shown.
  const [since, setSince] = useState<number | undefined>(undefined);
  const filter = {
    ...(since !== undefined ? { since } : {}),
    ...(datasetId !== 'any' ? { datasetId } : {}),
  };
  const results = useApiQuery('compare.results', filter);
  const pairs = useApiQuery('feedback.pairs', { limit: 0, ...filter });
  useApiEvent('compare.updated', (c) => {
    if (c.vote !== null) void queryClient.invalidateQueries({ queryKey: ['compare.results'] });
  });
  const data = results.data;
  return (
    <div className="flex flex-col gap-5 px-6 py-5">
      <div className="flex flex-wrap items-center gap-2">
        <Select
          value={range}
          onValueChange={(r) => {
            setRange(r as Range);
            setSince(r === 'all' ? undefined : Date.now() - Number(r) * 86_400_000);
          }}
        >
          <SelectTrigger aria-label="Date range" className="w-40">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            {(Object.keys(ranges) as Range[]).map((r) => (
              <SelectItem key={r} value={r}>
                {ranges[r]}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
        <Select value={datasetId} onValueChange={setDatasetId}>
          <SelectTrigger aria-label="Dataset" className="w-52">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            <SelectItem value="any">All prompts</SelectItem>
            {datasets.map((d) => (
              <SelectItem key={d.id} value={d.id}>
                Prompts from {d.name}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
        <span className="ml-auto text-[13px] text-muted-foreground" data-testid="votes-count">
          {data ? `${data.votes} vote${data.votes === 1 ? '' : 's'}` : ''}
        </span>
      </div>

      <section aria-label="Win rates" className="flex flex-col gap-2">
        <h2 className="text-sm font-semibold">Win rates</h2>
        {data?.pairs.length === 0 && (
          <p className="text-[13px] text-muted-foreground">
            No votes yet. Compare two variants and vote to see who wins.
          </p>
        )}
        {data?.pairs.map((p) => (
          <WinRate key={`${p.a}\n${p.b}`} pair={p} />
        ))}
      </section>

      <section aria-label="Leaderboard" className="flex flex-col gap-2">
        <h2 className="flex items-center gap-2 text-sm font-semibold">
          <Trophy className="size-4 text-muted-foreground" />
          Leaderboard
        </h2>
        {data && data.leaderboard.length > 0 && (
          <div className="overflow-x-auto rounded-lg border bg-card shadow-xs">
            <table className="w-full text-[13px]">
              <thead className="border-b bg-muted/40 text-left text-xs text-muted-foreground">
                <tr>
                  <th className="px-3 py-2 font-medium">#</th>
                  <th className="px-3 py-2 font-medium">Variant</th>
                  <th
                    className="px-3 py-2 text-right font-medium"
                    title="Bradley-Terry strength on the Elo scale; 1000 = average"
                  >
                    Rating
                  </th>
                  <th className="px-3 py-2 text-right font-medium">Wins</th>
                  <th className="px-3 py-2 text-right font-medium">Losses</th>
                  <th className="px-3 py-2 text-right font-medium">Ties</th>
                  <th className="px-3 py-2 text-right font-medium">Both bad</th>
                </tr>
              </thead>
              <tbody className="tabular-nums">
                {data.leaderboard.map((r, i) => (
                  <tr key={r.key} className="border-b last:border-0" data-testid="leaderboard-row">
                    <td className="px-3 py-2 text-muted-foreground">{i + 1}</td>
                    <td className="px-3 py-2 font-medium">{r.label}</td>
                    <td className="px-3 py-2 text-right font-semibold">{Math.round(r.rating)}</td>
                    <td className="px-3 py-2 text-right">{r.wins}</td>
                    <td className="px-3 py-2 text-right">{r.losses}</td>
                    <td className="px-3 py-2 text-right">{r.ties}</td>
                    <td className="px-3 py-2 text-right">{r.bothBad}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <p className="text-xs text-muted-foreground">
          Ratings are Bradley-Terry strengths on the Elo scale (1000 = average); ties and both-bad count as draws.
        </p>
      </section>

      <ExportPairs total={pairs.data?.total ?? 0} bySource={pairs.data?.bySource} filter={filter} datasets={datasets} />
    </div>
  );
}

/** One head-to-head: a bar split at the win rate, whiskers at the 95 % Wilson interval. */
function WinRate({ pair }: { pair: HeadToHead }) {
  const decisive = pair.aWins + pair.bWins;
  return (
    <div className="rounded-lg border bg-card px-4 py-3 shadow-xs" data-testid="win-rate">
      <div className="mb-2 flex items-baseline justify-between gap-3 text-[13px]">
        <span className="min-w-0 truncate font-medium">{pair.aLabel}</span>
        <span className="shrink-0 text-muted-foreground">vs</span>
        <span className="min-w-0 truncate text-right font-medium">{pair.bLabel}</span>
      </div>
      <div className="relative h-6 overflow-hidden rounded-md bg-muted" aria-hidden>
        {pair.winRate !== null && (
          <>
            <div className="absolute inset-y-0 left-0 bg-primary/70" style={{ width: percent(pair.winRate) }} />
            <div
              className="absolute inset-y-0 right-0 bg-muted-foreground/25"
              style={{ width: percent(1 - pair.winRate) }}
            />
            {pair.low !== null && pair.high !== null && (
              <div
                className="absolute top-1/2 h-3 -translate-y-1/2 border-x-2 border-foreground/70"
                style={{ left: percent(pair.low), width: percent(pair.high - pair.low) }}
              >
                <div className="absolute inset-x-0 top-1/2 border-t-2 border-foreground/70" />
              </div>
            )}
            <div className="absolute inset-y-0 left-1/2 border-l border-dashed border-background/80" />
          </>
        )}
      </div>
      <p className="mt-1.5 text-xs text-muted-foreground tabular-nums" data-testid="win-rate-text">
        {pair.winRate === null
          ? 'No decisive vote yet'
          : `${pair.aLabel} wins ${percent(pair.winRate)} (95% CI ${percent(pair.low ?? 0)}–${percent(pair.high ?? 1)}) of ${decisive} decisive vote${decisive === 1 ? '' : 's'}`}
        {` · ${pair.aWins}–${pair.bWins} · ${pair.ties} tie${pair.ties === 1 ? '' : 's'} · ${pair.bothBad} both bad`}
      </p>
    </div>
  );
}

function ExportPairs({
  total,
  bySource,
  filter,
  datasets,
}: {
  total: number;
  bySource: Record<string, number> | undefined;
  filter: { since?: number; datasetId?: string };
  datasets: { id: string; name: string }[];
}) {
  const queryClient = useQueryClient();
  const [target, setTarget] = useState<string>('');
  const [added, setAdded] = useState<{ datasetId: string; name: string; added: number; skipped: number } | null>(null);
  const toDataset = useApiMutation('feedback.toDataset', {
    onSuccess: (r) => {
      setAdded({ ...r, name: datasets.find((d) => d.id === r.datasetId)?.name ?? 'the dataset' });
      void queryClient.invalidateQueries({ queryKey: ['datasets.list'] });
    },
  });
  const [format, setFormat] = useState<PreferenceFormat>('trl-conversational');
  const [path, setPath] = useState('');
  const [overwrite, setOverwrite] = useState(false);
  const exportPairs = useApiMutation('feedback.export', {
    onSuccess: (r) => toast.success(`Wrote ${r.count} preference pair${r.count === 1 ? '' : 's'} to ${r.path}`),
  });
  return (
    <section
      aria-label="Export preference pairs"
      className="flex flex-col gap-3 rounded-lg border bg-card p-4 shadow-xs"
    >
      <div>
        <h2 className="text-sm font-semibold">Preference pairs for DPO</h2>
        <p className="text-[13px] text-muted-foreground" data-testid="pairs-count">
          {total} pair{total === 1 ? '' : 's'}
          {bySource
            ? ` — ${bySource['comparison'] ?? 0} from Compare, ${bySource['chat-pick'] ?? 0} picked in chat, ${bySource['chat-rating'] ?? 0} from thumbs`
            : ''}
          . Written as JSONL on the machine running Lathe.
        </p>
      </div>
      <div className="flex flex-wrap items-center gap-2">
        <Select value={format} onValueChange={(f) => setFormat(f as PreferenceFormat)}>
          <SelectTrigger aria-label="Export format" className="w-56">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            {(Object.keys(formats) as PreferenceFormat[]).map((f) => (
              <SelectItem key={f} value={f}>
                {formats[f]}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
        <Input
          aria-label="Export path"
          placeholder="/home/me/preferences.jsonl"
          className="min-w-64 flex-1 font-mono text-[13px]"
          value={path}
          onChange={(e) => setPath(e.currentTarget.value)}
        />
        <label className="flex items-center gap-2 text-[13px]">
          <Checkbox checked={overwrite} onCheckedChange={(v) => setOverwrite(v === true)} aria-label="Overwrite" />
          Overwrite
        </label>
        <Button
          disabled={!path.trim() || total === 0 || exportPairs.isPending}
          onClick={() => exportPairs.mutate({ path: path.trim(), format, overwrite, ...filter })}
        >
          <Download />
          Export
        </Button>
      </div>
      <div className="flex flex-col gap-2 border-t pt-3">
        <p className="text-[13px] text-muted-foreground">
          Or train on them here: add them to a dataset (as examples with a rejected answer), then fine-tune it with
          Preference (DPO).
        </p>
        <div className="flex flex-wrap items-center gap-2">
          <DatasetSelect
            datasets={datasets}
            value={target}
            onChange={setTarget}
            label="Dataset for the pairs"
            placeholder={datasets.length > 0 ? 'Choose a dataset' : 'No datasets yet'}
            className="w-64"
          />
          <Button
            variant="outline"
            disabled={!target || total === 0 || toDataset.isPending}
            onClick={() => {
              setAdded(null);
              toDataset.mutate({ targetDatasetId: target, ...filter });
            }}
          >
            <ListPlus />
            Add {total} pair{total === 1 ? '' : 's'} to the dataset
          </Button>
        </div>
        {added && (
          <p className="text-[13px]" data-testid="pairs-added" role="status">
            Added {added.added} pair{added.added === 1 ? '' : 's'} to {added.name}
            {added.skipped > 0 ? ` (${added.skipped} already there)` : ''}.{' '}
            <a
              className="font-medium text-primary underline-offset-4 hover:underline"
              href={fineTuneHref({ datasetId: added.datasetId, method: 'dpo' })}
            >
              Fine-tune with DPO
            </a>
          </p>
        )}
      </div>
    </section>
  );
}
