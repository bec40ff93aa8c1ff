/**
 * The WebSocket client of lib/inferenceDelivery.ts (a renderer stand-in in its own process): connects
 * to the browser-mode server, stamps every `chat.token` it receives with process.hrtime (monotonic,
 * system-wide), and at the answer's ` END` sends the stamps back as a `bench.report` request.
 */
import WebSocket from 'ws';

const url = process.argv[2];
if (!url) throw new Error('usage: inferenceWsClient.ts ws://host:port/ws?token=…');
const ws = new WebSocket(url);
let id = 0;
let base: bigint | null = null;
let arrivals: number[] = [];
let frames = 0;
let cpu0 = process.cpuUsage();
const send = (method: string, input: unknown): void => ws.send(JSON.stringify({ id: ++id, method, input }));

ws.on('open', () => send('bench.hello', null));
ws.on('message', (raw: Buffer) => {
  const now = process.hrtime.bigint();
  const msg = JSON.parse(raw.toString('utf8')) as { event?: string; payload?: { delta: string } };
  if (msg.event !== 'chat.token' || !msg.payload) return;
  if (base === null) {
    base = now;
    cpu0 = process.cpuUsage();
  }
  frames++;
  const t = Number(now - base);
  for (const m of msg.payload.delta.matchAll(/t(\d+)/g)) arrivals[Number(m[1])] = t;
  if (msg.payload.delta.endsWith(' END')) {
    const cpu = process.cpuUsage(cpu0);
    send('bench.report', { base: String(base), arrivals, frames, cpuMs: (cpu.user + cpu.system) / 1000 });
    base = null;
    arrivals = [];
    frames = 0;
  }
});
ws.on('close', () => process.exit(0));
ws.on('error', (e) => {
  console.error(e);
  process.exit(1);
});
