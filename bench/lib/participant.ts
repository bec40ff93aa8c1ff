/**
 * The bench's lockstep protocol. Every configuration (Lathe F32, Lathe Q8_0, the PyTorch reference,
 * the matmul microbenchmark) is a long-lived child process that loads once, then does one measured
 * unit of work per `step` line on its stdin and answers on stdout; the driver steps them one at a
 * time, round after round, so that a machine whose load drifts (other people's builds) slows every
 * configuration alike and each round gives paired measurements. Only one child computes at a time.
 *
 * Messages are single stdout lines `@bench {json}`: `{"ready": meta}` once loaded, `{"step": ...}`
 * per step, `{"finish": {"peakRssBytes": n}}` (VmHWM, the process's peak resident set) before
 * exiting. Anything else a child prints goes to the driver's stderr.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { vmHwmBytes } from './proc.js';

const PREFIX = '@bench ';

export interface StepReport {
  seconds: number;
  tokens: number;
  loss: number;
  forwardBackwardSeconds?: number;
}

export interface FinishReport {
  peakRssBytes: number | null;
}

function say(message: object): void {
  process.stdout.write(`${PREFIX}${JSON.stringify(message)}\n`);
}

/** Child side (TypeScript workers): announce `meta`, then serve `step` and `finish`. */
export async function serve(meta: object, step: () => Promise<StepReport>, dispose: () => void): Promise<void> {
  say({ ready: meta });
  for await (const line of createInterface({ input: process.stdin })) {
    const cmd = line.trim();
    if (cmd === 'step') say({ step: await step() });
    else if (cmd === 'finish') break;
  }
  dispose();
  say({ finish: { peakRssBytes: vmHwmBytes() } satisfies FinishReport });
}

/** Driver side: one child process speaking the protocol. */
export class Participant<Meta, Step> {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: { resolve: (m: Record<string, unknown>) => void; reject: (e: Error) => void }[] = [];
  private readonly inbox: Record<string, unknown>[] = [];
  private stderrTail = '';
  private exited: string | undefined;

  constructor(
    readonly label: string,
    command: string,
    args: string[],
    env: NodeJS.ProcessEnv,
  ) {
    this.child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdin.on('error', () => {}); // EPIPE if it died: reported by 'exit' below
    this.child.stderr.on('data', (c: Buffer) => {
      this.stderrTail = (this.stderrTail + c.toString('utf8')).slice(-4000);
      process.stderr.write(c);
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      if (!line.startsWith(PREFIX)) {
        process.stderr.write(`${line}\n`);
        return;
      }
      const message = JSON.parse(line.slice(PREFIX.length)) as Record<string, unknown>;
      const waiter = this.waiting.shift();
      if (waiter) waiter.resolve(message);
      else this.inbox.push(message); // e.g. `ready` before anyone asked
    });
    const fail = (why: string): void => {
      this.exited = why;
      const tail = this.stderrTail.split('\n').slice(-15).join('\n');
      for (const w of this.waiting.splice(0)) w.reject(new Error(`${label}: ${why}\n${tail}`));
    };
    this.child.on('error', (err) => fail(`could not start ${command}: ${err.message}`));
    this.child.on('exit', (code, signal) => fail(`exited (${code ?? signal})`));
  }

  private next<T>(key: string, command?: string): Promise<T> {
    if (command && this.exited === undefined) this.child.stdin.write(`${command}\n`);
    const queued = this.inbox.shift();
    const p = queued
      ? Promise.resolve(queued)
      : this.exited
        ? Promise.reject(new Error(`${this.label}: ${this.exited}`))
        : new Promise<Record<string, unknown>>((resolve, reject) => this.waiting.push({ resolve, reject }));
    return p.then((m) => {
      if (!(key in m)) throw new Error(`${this.label}: expected "${key}", got ${JSON.stringify(m)}`);
      return m[key] as T;
    });
  }

  ready(): Promise<Meta> {
    return this.next<Meta>('ready');
  }

  step(): Promise<Step> {
    return this.next<Step>('step', 'step');
  }

  async finish(): Promise<FinishReport> {
    const r = await this.next<FinishReport>('finish', 'finish');
    this.child.stdin.end();
    return r;
  }

  kill(): void {
    if (this.exited === undefined) this.child.kill('SIGKILL');
  }
}
