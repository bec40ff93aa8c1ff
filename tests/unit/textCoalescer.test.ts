import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TextCoalescer } from '../../src/main/core/inference/TextCoalescer';

describe('TextCoalescer', () => {
  let sent: { at: number; delta: string }[];
  let coalescer: TextCoalescer;
  beforeEach(() => {
    vi.useFakeTimers({ now: 1000 });
    sent = [];
    coalescer = new TextCoalescer(
      (delta) => sent.push({ at: Date.now(), delta }),
      16,
      () => Date.now(),
    );
  });
  afterEach(() => vi.useRealTimers());

  it('sends a delta at once when the last send is a window old (a slow model streams undelayed)', () => {
    coalescer.push('a');
    vi.advanceTimersByTime(30);
    coalescer.push('b');
    vi.advanceTimersByTime(16);
    coalescer.push('c');
    expect(sent).toEqual([
      { at: 1000, delta: 'a' },
      { at: 1030, delta: 'b' },
      { at: 1046, delta: 'c' },
    ]);
  });

  it('holds deltas that come faster than the window; the first one after the window takes them along', () => {
    for (let i = 0; i < 20; i++) {
      coalescer.push(`t${i} `);
      vi.advanceTimersByTime(2);
    }
    // t0 at once; t1..t8 when t8 arrives at 1016; t9..t16 with t16 at 1032; t17..t19 still held
    expect(sent).toEqual([
      { at: 1000, delta: 't0 ' },
      { at: 1016, delta: 't1 t2 t3 t4 t5 t6 t7 t8 ' },
      { at: 1032, delta: 't9 t10 t11 t12 t13 t14 t15 t16 ' },
    ]);
    coalescer.flush();
    expect(sent.map((s) => s.delta).join('')).toBe(Array.from({ length: 20 }, (_, i) => `t${i} `).join(''));
  });

  it('sends held text when no more comes, two windows after the last send', () => {
    coalescer.push('a');
    vi.advanceTimersByTime(5);
    coalescer.push('b');
    vi.advanceTimersByTime(26);
    expect(sent).toEqual([{ at: 1000, delta: 'a' }]);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([
      { at: 1000, delta: 'a' },
      { at: 1032, delta: 'b' },
    ]);
  });

  it('flush sends what is pending at once, in order, and ignores empty deltas', () => {
    coalescer.push('a');
    coalescer.push('');
    coalescer.push('b');
    coalescer.push('c');
    coalescer.flush();
    coalescer.flush();
    expect(sent).toEqual([
      { at: 1000, delta: 'a' },
      { at: 1000, delta: 'bc' },
    ]);
    vi.advanceTimersByTime(100);
    expect(sent).toHaveLength(2); // the cancelled timer sends nothing more
  });
});
