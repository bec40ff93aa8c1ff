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

  it('sends a delta at once when nothing went out within the window (a slow model streams undelayed)', () => {
    coalescer.push('a');
    vi.advanceTimersByTime(30);
    coalescer.push('b');
    vi.advanceTimersByTime(17);
    coalescer.push('c');
    expect(sent).toEqual([
      { at: 1000, delta: 'a' },
      { at: 1030, delta: 'b' },
      { at: 1047, delta: 'c' },
    ]);
  });

  it('holds deltas that come faster than the window and sends them together at its end', () => {
    for (let i = 0; i < 10; i++) {
      coalescer.push(`t${i} `);
      vi.advanceTimersByTime(2);
    }
    // t0 at once; t1..t7 at 1016; t8, t9 wait for 1032
    expect(sent).toEqual([
      { at: 1000, delta: 't0 ' },
      { at: 1016, delta: 't1 t2 t3 t4 t5 t6 t7 ' },
    ]);
    vi.advanceTimersByTime(20);
    expect(sent.at(-1)).toEqual({ at: 1032, delta: 't8 t9 ' });
    expect(sent.map((s) => s.delta).join('')).toBe(Array.from({ length: 10 }, (_, i) => `t${i} `).join(''));
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
