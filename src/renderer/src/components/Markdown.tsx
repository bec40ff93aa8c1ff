import { memo, useMemo, type ReactNode } from 'react';
import { Lexer, type Token, type Tokens } from 'marked';
import { cn } from '@renderer/lib/cn';
import { CodeBlock } from './CodeBlock';
import './markdown.css';

/**
 * Markdown (GitHub flavour) rendered as React elements, never as HTML: raw HTML in the text shows
 * as text, links open only for http(s) and mailto, images show their alt text (nothing remote is
 * loaded). Code blocks are highlighted and have a copy button.
 */
export const Markdown = memo(function Markdown({ text, className }: { text: string; className?: string }) {
  const tokens = useMemo(() => Lexer.lex(text, { gfm: true, breaks: false }), [text]);
  return <div className={cn('markdown text-sm leading-relaxed break-words', className)}>{blocks(tokens)}</div>;
});

function blocks(tokens: readonly Token[]): ReactNode[] {
  return tokens.map((token, i) => block(token, i));
}

function block(token: Token, key: number): ReactNode {
  switch (token.type) {
    case 'space':
    case 'def':
      return null;
    case 'paragraph':
      return (
        <p key={key} className="my-2 first:mt-0 last:mb-0">
          {inline((token as Tokens.Paragraph).tokens)}
        </p>
      );
    case 'heading': {
      const t = token as Tokens.Heading;
      const size = t.depth <= 1 ? 'text-lg' : t.depth === 2 ? 'text-base' : 'text-sm';
      const Tag = `h${Math.min(6, Math.max(1, t.depth))}` as 'h1';
      return (
        <Tag key={key} className={cn('mt-4 mb-2 font-semibold first:mt-0', size)}>
          {inline(t.tokens)}
        </Tag>
      );
    }
    case 'code': {
      const t = token as Tokens.Code;
      return <CodeBlock key={key} code={t.text} language={t.lang?.split(/\s/)[0]} />;
    }
    case 'blockquote':
      return (
        <blockquote key={key} className="my-2 border-l-2 pl-3 text-muted-foreground">
          {blocks((token as Tokens.Blockquote).tokens)}
        </blockquote>
      );
    case 'hr':
      return <hr key={key} className="my-4" />;
    case 'list': {
      const t = token as Tokens.List;
      const items = t.items.map((item, i) => (
        <li key={i} className="my-0.5 pl-0.5">
          {item.task && (
            <input type="checkbox" checked={!!item.checked} disabled className="mr-1.5 align-middle" readOnly />
          )}
          {listItem(item, t.loose)}
        </li>
      ));
      return t.ordered ? (
        <ol key={key} start={typeof t.start === 'number' ? t.start : undefined} className="my-2 list-decimal pl-6">
          {items}
        </ol>
      ) : (
        <ul key={key} className="my-2 list-disc pl-6">
          {items}
        </ul>
      );
    }
    case 'table': {
      const t = token as Tokens.Table;
      const align = (a: Tokens.TableCell['align']) => (a ? { textAlign: a } : undefined);
      return (
        <div key={key} className="my-3 overflow-x-auto">
          <table className="w-full border-collapse text-[13px]">
            <thead>
              <tr>
                {t.header.map((cell, i) => (
                  <th key={i} style={align(cell.align)} className="border px-2 py-1 text-left font-semibold">
                    {inline(cell.tokens)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {t.rows.map((row, r) => (
                <tr key={r}>
                  {row.map((cell, i) => (
                    <td key={i} style={align(cell.align)} className="border px-2 py-1">
                      {inline(cell.tokens)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      );
    }
    case 'html':
      return (
        <p key={key} className="my-2 whitespace-pre-wrap">
          {(token as Tokens.HTML).text}
        </p>
      );
    case 'text': {
      const t = token as Tokens.Text;
      return <p key={key}>{t.tokens ? inline(t.tokens) : t.text}</p>;
    }
    default:
      return 'raw' in token ? <span key={key}>{token.raw}</span> : null;
  }
}

/** A list item's content: tight lists keep their text inline, loose ones get paragraphs. */
function listItem(item: Tokens.ListItem, loose: boolean): ReactNode {
  return item.tokens.map((token, i) => {
    if (token.type === 'checkbox') return null;
    if (!loose && token.type === 'text') {
      const t = token as Tokens.Text;
      return <span key={i}>{t.tokens ? inline(t.tokens) : t.text}</span>;
    }
    return block(token, i);
  });
}

function inline(tokens: readonly Token[] | undefined): ReactNode[] {
  return (tokens ?? []).map((token, i) => inlineToken(token, i));
}

function inlineToken(token: Token, key: number): ReactNode {
  switch (token.type) {
    case 'text': {
      const t = token as Tokens.Text;
      return t.tokens ? <span key={key}>{inline(t.tokens)}</span> : t.text;
    }
    case 'escape':
      return (token as Tokens.Escape).text;
    case 'strong':
      return (
        <strong key={key} className="font-semibold">
          {inline((token as Tokens.Strong).tokens)}
        </strong>
      );
    case 'em':
      return <em key={key}>{inline((token as Tokens.Em).tokens)}</em>;
    case 'del':
      return <del key={key}>{inline((token as Tokens.Del).tokens)}</del>;
    case 'codespan':
      return (
        <code key={key} className="rounded bg-muted px-1 py-0.5 font-mono text-[0.9em]">
          {(token as Tokens.Codespan).text}
        </code>
      );
    case 'br':
      return <br key={key} />;
    case 'link': {
      const t = token as Tokens.Link;
      if (!/^(https?:|mailto:)/i.test(t.href)) return <span key={key}>{inline(t.tokens)}</span>;
      return (
        <a
          key={key}
          href={t.href}
          title={t.title ?? undefined}
          target="_blank"
          rel="noreferrer noopener"
          className="text-primary underline underline-offset-2"
        >
          {inline(t.tokens)}
        </a>
      );
    }
    case 'image':
      return <span key={key}>{(token as Tokens.Image).text}</span>;
    case 'html':
      return (token as Tokens.HTML).text;
    default:
      return 'raw' in token ? token.raw : null;
  }
}
