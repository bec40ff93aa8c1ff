/**
 * The token-delivery part of `bench/inference.ts` (lockstep protocol of lib/participant.ts): Lathe's
 * real streaming path minus the model. A synthetic answer of `--tokens` tokens is pushed, one token
 * per event-loop turn paced `--interval-ms` apart (as node-llama-cpp hands them over, one decode at
 * a time), into a `DeltaBatcher` whose flush emits `chat.token` on the app's `EventBus`
 * exactly as ChatService does, which the real browser-mode server (`createHttpServer`) pushes as
 * WebSocket frames to a client in another process (lib/inferenceWsClient.ts). The client stamps each
 * token's arrival with the system-wide monotonic clock (process.hrtime) and sends the stamps back
 * through the same WebSocket as a request.
 *
 * Each step streams the answer twice, in alternating order: once delivered, once with the same
 * pacing but delivery cut off at the batcher (a no-op emit); the server process's CPU time
 * difference ÷ tokens is the main-process cost per delivered token, and push → arrival the latency.
 */
import './inferenceHooks.js';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { serve, type StepReport } from './participant.js';

export interface DeliveryStep extends StepReport {
  /** Per token, ms: push into the batcher → the client's 'message' handler. */
  latencyMs: number[];
  /** Server process CPU ms per token: delivered stream − undelivered stream. */
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
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

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

  const conversationId = '0197a3c2-5b1e-7c3a-9d1e-3f2a1b4c5d6e';
  const messageId = '0197a3c2-5b1f-7c3a-9d1e-3f2a1b4c5d6f';
  /** Streams one synthetic answer; returns the push stamps (ns since `base`), CPU and wall ms. */
  const stream = async (deliver: boolean) => {
    const batcher = new DeltaBatcher((delta) => {
      if (deliver) events.emit('chat.token', { conversationId, messageId, delta });
    });
    const base = process.hrtime.bigint();
    const pushed: number[] = [];
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < nTokens; i++) {
      if (intervalMs > 0) await sleep(intervalMs);
      else await turn();
      pushed.push(Number(process.hrtime.bigint() - base));
      batcher.push(` t${i}`);
    }
    batcher.push(' END');
    batcher.flush();
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    return { base, pushed, cpuMs: (cpu.user + cpu.system) / 1000, wallMs };
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
  await http.close();
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
