import { expect } from 'vitest';

/** TRL preference rules: exactly prompt/chosen/rejected; all strings, or all message lists. */
export function assertTrl(record: unknown): void {
  const r = record as Record<string, unknown>;
  expect(Object.keys(r).sort()).toEqual(['chosen', 'prompt', 'rejected']);
  if (typeof r['prompt'] === 'string') {
    for (const k of ['prompt', 'chosen', 'rejected']) expect(typeof r[k]).toBe('string');
    return;
  }
  const isMessage = (m: unknown) => {
    const x = m as Record<string, unknown>;
    return (
      Object.keys(x).sort().join() === 'content,role' &&
      ['system', 'user', 'assistant'].includes(x['role'] as string) &&
      typeof x['content'] === 'string'
    );
  };
  const prompt = r['prompt'] as unknown[];
  expect(prompt.every(isMessage)).toBe(true);
  expect((prompt.at(-1) as { role: string }).role).toBe('user');
  for (const k of ['chosen', 'rejected']) {
    const list = r[k] as { role: string }[];
    expect(list.every(isMessage)).toBe(true);
    expect(list.map((m) => m.role)).toEqual(['assistant']);
  }
}

/** LLaMA-Factory ranking (ShareGPT) rules: human/gpt alternate from human, odd length, chosen/rejected gpt turns. */
export function assertLlamaFactory(record: unknown): void {
  const r = record as Record<string, unknown>;
  for (const k of Object.keys(r)) expect(['conversations', 'system', 'chosen', 'rejected']).toContain(k);
  const turns = r['conversations'] as { from: string; value: string }[];
  expect(turns.length % 2).toBe(1);
  turns.forEach((t, i) => {
    expect(Object.keys(t).sort()).toEqual(['from', 'value']);
    expect(t.from).toBe(i % 2 === 0 ? 'human' : 'gpt');
    expect(typeof t.value).toBe('string');
  });
  if ('system' in r) expect(typeof r['system']).toBe('string');
  for (const k of ['chosen', 'rejected']) {
    expect(r[k]).toEqual({ from: 'gpt', value: expect.any(String) });
  }
}
