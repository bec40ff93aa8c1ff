import { SlidersHorizontal } from 'lucide-react';
import { PageLink } from '@renderer/app/PageLink';
import { EmptyState } from '@renderer/components/EmptyState';

const linkClass = 'font-medium text-primary underline-offset-4 hover:underline';

const example =
  '{"messages": [{"role": "user", "content": "Hi!"}, {"role": "assistant", "content": "Hello, how can I help?"}]}';

/** What the page shows before the first run: what fine-tuning does and what it needs. */
export function FineTuneEmptyState() {
  return (
    <EmptyState
      icon={SlidersHorizontal}
      title="No fine-tunes yet"
      className="min-h-0 py-12"
      description={
        <>
          <p>
            Fine-tuning teaches a model to answer your way: Lathe trains a small LoRA adapter on top of a base model,
            from examples of the conversations you want, on this machine. You need a base model and a dataset first.
          </p>
          <ul className="mx-auto mt-4 flex max-w-sm flex-col gap-2 text-left">
            <li className="flex gap-2.5">
              <Step n={1} />
              <span>
                A <strong className="font-medium text-foreground">GGUF base model</strong> (llama, qwen2, qwen3,
                mistral3, granite or smollm3 architecture) in your library:{' '}
                <PageLink to="models" className={linkClass}>
                  Models
                </PageLink>
                .
              </span>
            </li>
            <li className="flex gap-2.5">
              <Step n={2} />
              <span>
                A <strong className="font-medium text-foreground">dataset of chat examples</strong>, curated on{' '}
                <PageLink to="datasets" className={linkClass}>
                  Datasets
                </PageLink>{' '}
                or in a JSONL file, one conversation per line; the assistant&apos;s answers are what it learns.
              </span>
            </li>
          </ul>
        </>
      }
      footnote={
        <pre className="rounded-md whitespace-pre-wrap [overflow-wrap:anywhere] border bg-muted/60 px-3 py-2 text-left font-mono text-[11px] leading-relaxed text-muted-foreground">
          {example}
        </pre>
      }
    />
  );
}

function Step({ n }: { n: number }) {
  return (
    <span
      aria-hidden
      className="mt-px flex size-5 shrink-0 items-center justify-center rounded-full bg-primary/12 text-[11px] font-semibold text-primary"
    >
      {n}
    </span>
  );
}
