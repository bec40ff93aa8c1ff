import { useCallback, useState } from 'react';
import { Info, Play, Square } from 'lucide-react';
import type { CompareVote, Comparison, ContenderInput } from '@shared/compare';
import type { ModelInfo } from '@shared/domain';
import { Button } from '@renderer/components/ui/Button';
import { Input } from '@renderer/components/ui/Input';
import { Label } from '@renderer/components/ui/Label';
import { Textarea } from '@renderer/components/ui/Textarea';
import { useApiMutation } from '@renderer/lib/useApiMutation';
import { AnswerPane } from './AnswerPane';
import { ContenderPair } from './ContenderPair';
import { isWriting, useComparisons } from './useComparison';
import { VoteBar } from './VoteBar';
import { AddToDatasetButton } from './AddToDatasetButton';
import { RecentComparisons } from './RecentComparisons';

export interface ComparePanelProps {
  models: ModelInfo[];
  contenders: [ContenderInput, ContenderInput];
  onContenders: (contenders: [ContenderInput, ContenderInput]) => void;
  blind: boolean;
  onBlind: (blind: boolean) => void;
}

/** One prompt, two contenders streaming side by side, then a vote (keys 1–4), a reason and an ideal answer. */
export function ComparePanel({ models, contenders, onContenders, blind, onBlind }: ComparePanelProps) {
  const [system, setSystem] = useState('');
  const [prompt, setPrompt] = useState('');
  const [currentId, setCurrentId] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [ideal, setIdeal] = useState<string | null>(null);
  const { views, put, text } = useComparisons();
  const comparison: Comparison | null = currentId ? (views[currentId] ?? null) : null;

  const start = useApiMutation('compare.start', {
    onSuccess: (c) => {
      put(c);
      setCurrentId(c.id);
      setReason('');
      setIdeal(null);
    },
  });
  const stop = useApiMutation('compare.stop', { onSuccess: put });
  const vote = useApiMutation('compare.vote', { onSuccess: put });

  const ready = contenders.every((c) => c.modelId) && prompt.trim().length > 0;
  const writing = comparison ? isWriting(comparison) : false;
  const send = () => {
    if (!ready || start.isPending) return;
    start.mutate({
      messages: [
        ...(system.trim() ? [{ role: 'system' as const, content: system }] : []),
        { role: 'user' as const, content: prompt },
      ],
      contenders,
      blind,
    });
  };
  const onVote = useCallback(
    (v: CompareVote) => {
      if (!comparison || vote.isPending) return;
      vote.mutate({ id: comparison.id, vote: v, reason: reason || null, idealAnswer: ideal });
    },
    [comparison, vote, reason, ideal],
  );

  return (
    <div className="flex flex-col gap-4 px-6 py-5">
      <div className="flex flex-col gap-2 rounded-lg border bg-card p-3 shadow-xs">
        <ContenderPair
          models={models}
          contenders={contenders}
          onContenders={onContenders}
          blind={blind}
          onBlind={onBlind}
          blindAriaLabel="Blind"
          blindLabel="Blind: hide which is which and shuffle the sides until I vote"
          className="pt-1"
        />
      </div>

      <div className="flex flex-col gap-2">
        <Input
          aria-label="System prompt"
          placeholder="System prompt (optional)"
          value={system}
          onChange={(e) => setSystem(e.currentTarget.value)}
        />
        <div className="flex items-end gap-2">
          <Textarea
            aria-label="Prompt"
            placeholder="Ask both contenders something… (Enter to send, Shift+Enter for a new line)"
            className="min-h-16 flex-1"
            value={prompt}
            onChange={(e) => setPrompt(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey) {
                e.preventDefault();
                send();
              }
            }}
          />
          {writing && comparison ? (
            <Button variant="outline" className="h-16" onClick={() => stop.mutate({ id: comparison.id })}>
              <Square />
              Stop both
            </Button>
          ) : (
            <Button className="h-16 px-5" disabled={!ready || start.isPending} onClick={send}>
              <Play />
              Compare
            </Button>
          )}
        </div>
      </div>

      {comparison && (
        <>
          <div data-testid="comparison-prompt" className="rounded-lg bg-muted/60 px-4 py-2.5 text-sm">
            {comparison.messages
              .filter((m) => m.role === 'system')
              .map((m, i) => (
                <p key={i} className="mb-1 truncate text-xs text-muted-foreground">
                  System: {m.content}
                </p>
              ))}
            <p className="whitespace-pre-wrap">{comparison.messages.at(-1)?.content}</p>
          </div>
          {comparison.mode === 'sequential' && (
            <p
              className="flex items-center gap-2 rounded-md border bg-muted/50 px-3 py-2 text-[13px] text-muted-foreground"
              data-testid="mode-note"
            >
              <Info className="size-4 shrink-0" />
              Running B after A: {comparison.modeReason ?? 'one at a time'}.
            </p>
          )}
          <div className="grid min-h-72 grid-cols-1 gap-3 lg:grid-cols-2">
            {(['a', 'b'] as const).map((side) => (
              <AnswerPane
                key={`${comparison.id}:${side}`}
                comparison={comparison}
                side={side}
                text={text(comparison, side)}
                winner={comparison.vote === side}
                onStop={() => stop.mutate({ id: comparison.id, side })}
                onIdeal={setIdeal}
              />
            ))}
          </div>
          {ideal !== null && (
            <div className="rounded-lg border border-primary/40 bg-primary/5 px-4 py-3" data-testid="ideal-answer">
              <div className="mb-1 flex items-center justify-between text-[13px] font-medium">
                Ideal answer (saved with your vote)
                <Button size="sm" variant="ghost" onClick={() => setIdeal(null)}>
                  Discard
                </Button>
              </div>
              <p className="text-sm whitespace-pre-wrap">{ideal}</p>
            </div>
          )}
          <div className="flex flex-col gap-2">
            <VoteBar current={comparison.vote} disabled={writing || vote.isPending} onVote={onVote} />
            <div className="flex items-center gap-2">
              <Label htmlFor="compare-reason" className="sr-only">
                Reason
              </Label>
              <Input
                id="compare-reason"
                placeholder="Why? (optional, saved with the vote)"
                value={reason}
                onChange={(e) => setReason(e.currentTarget.value)}
              />
              <AddToDatasetButton comparison={comparison} onAdded={put} />
            </div>
            {comparison.vote && (
              <p className="text-[13px] text-muted-foreground" role="status" data-testid="vote-saved">
                Vote saved
                {comparison.blind
                  ? ': A was ' +
                    (comparison.a.contender?.label ?? '?') +
                    ', B was ' +
                    (comparison.b.contender?.label ?? '?')
                  : ''}
                . Press 1–4 to change it.
              </p>
            )}
          </div>
        </>
      )}
      <RecentComparisons
        currentId={currentId}
        onOpen={(c) => {
          put(c);
          setCurrentId(c.id);
          setReason(c.reason ?? '');
          setIdeal(c.idealAnswer);
        }}
      />
    </div>
  );
}
