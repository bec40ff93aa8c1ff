/**
 * The token-delivery part of `bench/inference.ts` (lockstep protocol of lib/participant.ts): Lathe's
 * real streaming path minus the model. A synthetic answer of `--tokens` tokens is sent, one token
 * per message paced `--interval-ms` apart, by a stand-in for the model process
 * (lib/syntheticModelProcess.ts: the real inference protocol over the real fork IPC channel) to the
 * core's real InferenceClient, whose text goes into a `DeltaBatcher` emitting `chat.token` on the
 * app's `EventBus` exactly as ChatService does, which the real browser-mode server
 * (`createHttpServer`) pushes as WebSocket frames to a client in another process
 * (lib/inferenceWsClient.ts). Both ends stamp tokens with the system-wide monotonic clock
 * (process.hrtime): the model process when it sends one, the client when it arrives.
 *
 * Each step streams the answer twice, in alternating order: once delivered, once with the same
 * pacing but no text sent by the model process; the CPU time difference of the model process and
 * the core together ÷ tokens is the cost per delivered token, and send → arrival the latency.
 */
import './inferenceHooks.js';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { serve, type StepReport } from './participant.js';

export interface DeliveryStep extends StepReport {
  /** Per token, ms: push into the batcher → the client's 'message' handler. */
  latencyMs: number[];
  /** CPU ms per token of the model process and the core together: delivered stream − undelivered stream. */
  serverCpuMsPerToken: number;
  /** Client process CPU ms per token (receiving + JSON.parse). */
  clientCpuMsPerToken: number;
  /** WebSocket frames the client received for the stream. */
  frames: number;
  /** Wall ms per token, delivered − undelivered stream (≈ 0 unless delivery delays the next token). */
  wallMsPerTokenExtra: number;
}

interface Report {
  base: string;
  arrivals: number[];
  frames: number;
  cpuMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      tokens: { type: 'string', default: '1000' },
      'interval-ms': { type: 'string', default: '2' },
    },
  });
  const nTokens = Number(values.tokens);
  const intervalMs = Number(values['interval-ms']);
  const { EventBus } = await import('../../src/main/core/EventBus.js');
  const { DeltaBatcher } = await import('../../src/main/core/chat/DeltaBatcher.js');
  const { createHttpServer } = await import('../../src/main/serve/createHttpServer.js');
  const { silentLogger } = await import('../../src/main/core/logger.js');
  const { InferenceClient } = await import('../../src/main/core/inference/InferenceClient.js');
  const { forkLauncher } = await import('../../src/main/core/processes.js');
  const { samplingPresets } = await import('../../src/shared/domain.js');

  const events = new EventBus();
  let onReport: ((r: Report) => void) | null = null;
  let onHello: (() => void) | null = null;
  const http = await createHttpServer({
    events,
    logger: silentLogger,
    host: '127.0.0.1',
    port: 0,
    dispatch: (method, input) => {
      if (method === 'bench.hello') onHello?.();
      if (method === 'bench.report') onReport?.(input as Report);
      return Promise.resolve({ ok: true, data: null });
    },
  });
  const hello = new Promise<void>((r) => (onHello = r));
  const client = spawn(
    process.execPath,
    [
      '--import',
      fileURLToPath(new URL('./register.mjs', import.meta.url)),
      fileURLToPath(new URL('./inferenceWsClient.ts', import.meta.url)),
      `ws://127.0.0.1:${http.port}/ws?token=${http.token}`,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  await hello;

  // The model process: a paced stand-in speaking the real protocol over the real IPC channel, read
  // by the core's real InferenceClient.
  const model = new InferenceClient({
    config: {},
    events,
    logger: silentLogger,
    resolveModel: (id) => ({ id, path: '', sha256: '' }),
    resolveAdapters: () => [],
    launcher: forkLauncher(fileURLToPath(new URL('./syntheticModelProcess.ts', import.meta.url))),
  });
  const conversationId = '0197a3c2-5b1e-7c3a-9d1e-3f2a1b4c5d6e';
  const messageId = '0197a3c2-5b1f-7c3a-9d1e-3f2a1b4c5d6f';
  const sampling = { ...samplingPresets.balanced, seed: 1 };
  /**
   * Streams one synthetic answer as ChatService does (model process → InferenceClient → batcher →
   * chat.token); returns the send stamps (ns since `base`, in the model process), and the CPU ms of
   * both processes and the wall ms.
   */
  const stream = async (deliver: boolean) => {
    const batcher = new DeltaBatcher((delta) => {
      if (deliver) events.emit('chat.token', { conversationId, messageId, delta });
    });
    const content = JSON.stringify({ tokens: nTokens, intervalMs, deliver });
    const prepared = await model.prepare({
      owner: conversationId,
      modelId: 'synthetic',
      adapters: [],
      messages: [{ role: 'user', content }],
      sampling,
    });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const outcome = (await prepared.run({
      signal: new AbortController().signal,
      onText: (delta) => batcher.push(delta),
    })) as Awaited<ReturnType<typeof prepared.run>> & { base: string; pushed: number[]; cpuMs: number };
    batcher.push(' END');
    batcher.flush();
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    return {
      base: BigInt(outcome.base),
      pushed: outcome.pushed,
      cpuMs: (cpu.user + cpu.system) / 1000 + outcome.cpuMs,
      wallMs,
    };
  };

  let round = 0;
  const step = async (): Promise<DeliveryStep> => {
    const order = round++ % 2 === 0 ? [true, false] : [false, true];
    let delivered: Awaited<ReturnType<typeof stream>> | undefined;
    let plain: Awaited<ReturnType<typeof stream>> | undefined;
    let report: Report | undefined;
    for (const deliver of order) {
      if (deliver) {
        const got = new Promise<Report>((r) => (onReport = r));
        delivered = await stream(true);
        report = await got;
      } else {
        plain = await stream(false);
      }
      await sleep(200);
    }
    if (!delivered || !plain || !report) throw new Error('incomplete delivery step');
    const offset = Number(BigInt(report.base) - delivered.base);
    const latencyMs = delivered.pushed.map((p, i) => (offset + (report.arrivals[i] ?? NaN) - p) / 1e6);
    const r: DeliveryStep = {
      seconds: delivered.wallMs / 1000,
      tokens: nTokens,
      loss: 0,
      latencyMs,
      serverCpuMsPerToken: (delivered.cpuMs - plain.cpuMs) / nTokens,
      clientCpuMsPerToken: report.cpuMs / nTokens,
      frames: report.frames,
      wallMsPerTokenExtra: (delivered.wallMs - plain.wallMs) / nTokens,
    };
    const sorted = [...latencyMs].sort((a, b) => a - b);
    console.error(
      `[delivery] ${nTokens} tokens in ${report.frames} frames: latency median ${sorted[sorted.length >> 1]?.toFixed(3)} ms, ` +
        `server CPU ${r.serverCpuMsPerToken.toFixed(4)} ms/token, client CPU ${r.clientCpuMsPerToken.toFixed(4)} ms/token`,
    );
    return r;
  };
  await serve({ tokens: nTokens, intervalMs, port: http.port }, step, () => {});
  client.kill();
  await model.close();
  await http.close();
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
