/**
 * The delivery bench's stand-in for the model process (workers/inference.ts): it speaks the real
 * inference protocol over the real IPC channel (child_process.fork, structured clone), so tokens
 * reach the core exactly as the model's do, but they come from a paced loop instead of llama.cpp.
 * The prompt's one user message carries the stream's settings as JSON: `{ tokens, intervalMs,
 * deliver }`; with `deliver: false` the loop keeps its pacing and stamps but sends no text. Text
 * goes out through the model process's own TextCoalescer, so the stamps (taken when a token is
 * made) → arrival include its pacing. The run's
 * result carries, beside the outcome, each token's send stamp (ns after `base`, the system-wide
 * monotonic clock) and
 * this process's CPU ms for the stream.
 */
import type { FromInference, ToInference } from '../../src/main/core/inference/inferenceProtocol.js';
import './inferenceHooks.js';
import { TextCoalescer } from '../../src/main/core/inference/TextCoalescer.js';

interface Settings {
  tokens: number;
  intervalMs: number;
  deliver: boolean;
}

const post = (message: FromInference): void => void process.send?.(message);
// src/ uses extensionless imports: loaded after inferenceHooks.js
const { emptyCounters } = await import('../../src/main/core/inference/InferenceService.js');
const counters = emptyCounters();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
const prepared = new Map<number, Settings>();

process.on('message', (raw) => {
  const message = raw as ToInference;
  if (message.type === 'prepare') {
    prepared.set(message.id, JSON.parse(message.messages.at(-1)?.content ?? '{}') as Settings);
    post({
      type: 'result',
      id: message.id,
      value: { promptTokens: 1, droppedMessages: 0, sampling: message.sampling },
      counters,
    });
  } else if (message.type === 'run') {
    const settings = prepared.get(message.id) as Settings;
    prepared.delete(message.id);
    void (async () => {
      const pushed: number[] = [];
      const base = process.hrtime.bigint();
      const cpu0 = process.cpuUsage();
      let text = '';
      // as workers/inference.ts sends an answer's text (inferenceHost.ts)
      const out = new TextCoalescer((delta) => post({ type: 'text', id: message.id, delta }));
      for (let i = 0; i < settings.tokens; i++) {
        if (settings.intervalMs > 0) await sleep(settings.intervalMs);
        else await turn();
        pushed.push(Number(process.hrtime.bigint() - base));
        const delta = ` t${i}`;
        text += delta;
        if (settings.deliver) out.push(delta);
      }
      out.flush();
      const cpu = process.cpuUsage(cpu0);
      const outcome = {
        text,
        thought: '',
        stopReason: 'maxTokens' as const,
        stats: { promptTokens: 1, completionTokens: settings.tokens, timeToFirstTokenMs: 0, tokensPerSecond: null },
        base: String(base),
        pushed,
        cpuMs: (cpu.user + cpu.system) / 1000,
      };
      post({ type: 'result', id: message.id, value: outcome, counters });
    })();
  } else if (message.type === 'close') {
    post({ type: 'result', id: message.id, value: null, counters });
  }
});
process.on('disconnect', () => process.exit(0));
