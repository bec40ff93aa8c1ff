import { useMemo, useState } from 'react';
import { Check, Copy } from 'lucide-react';
import { highlightCode } from './highlight';

/** A fenced code block: the language, a copy button and, for known languages, highlighting. */
export function CodeBlock({ code, language }: { code: string; language?: string | undefined }) {
  const html = useMemo(() => highlightCode(code, language), [code, language]);
  const [copied, setCopied] = useState(false);
  const copy = () =>
    navigator.clipboard.writeText(code).then(
      () => {
        setCopied(true);
        setTimeout(() => setCopied(false), 1500);
      },
      () => setCopied(false),
    );

  return (
    <div data-testid="code-block" className="group/code my-3 overflow-hidden rounded-lg border bg-muted/50">
      <div className="flex h-8 items-center justify-between border-b bg-muted/60 pr-1 pl-3 text-[11px] text-muted-foreground">
        <span className="font-mono">{language || 'text'}</span>
        <button
          type="button"
          onClick={copy}
          aria-label={copied ? 'Copied' : 'Copy code'}
          className="inline-flex h-6 items-center gap-1 rounded px-1.5 outline-none hover:bg-accent hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50"
        >
          {copied ? <Check className="size-3.5" /> : <Copy className="size-3.5" />}
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      <pre className="overflow-x-auto px-3 py-2.5 font-mono text-[12.5px] leading-relaxed">
        {html === null ? <code>{code}</code> : <code dangerouslySetInnerHTML={{ __html: html }} />}
      </pre>
    </div>
  );
}
