import { randomInt, randomUUID } from 'node:crypto';
import type {
  CompareBatch,
  CompareResults,
  CompareSide,
  CompareVote,
  Comparison,
  Contender,
  HeadToHead,
  LeaderboardRow,
  StoredContender,
} from '../../../shared/compare';
import type { DatasetExample } from '../../../shared/datasets';
import { blindComparisonOwnerPrefix, type ChatMessage, type ModelInfo } from '../../../shared/domain';
import { AppError, toAppErrorData } from '../../../shared/errors';
import { DeltaBatcher } from '../chat/DeltaBatcher';
import type { EventBus } from '../EventBus';
import type { Inference, PreparedGeneration } from '../inference/InferenceService';
import type { JobContext, JobRunner } from '../jobs/JobRunner';
import type { Logger } from '../logger';
import type { ModelsService } from '../models/ModelsService';
import type { BatchRecord, CompareRepo, ComparisonRecord, VotedFilter } from './CompareRepo';
import type { ComparisonDatasets, ToDatasetInput } from './ComparisonDatasets';
import { describeContender } from './describeContender';
import { bradleyTerry, eloScale, wilsonInterval, type Game } from './ratings';

/** The job kind of a batch review's generation. */
export const compareBatchJobKind = 'compare.batch';

export interface CompareServiceOptions {
  repo: CompareRepo;
  inference: Pick<Inference, 'prepare' | 'status' | 'load' | 'unload'>;
  models: Pick<ModelsService, 'get'>;
  jobs: JobRunner;
  events: EventBus;
  logger: Logger;
  /** Sequences per context the engine has (InferenceConfig.sequences, default 2): below 2, sides run one after the other. */
  sequences?: number;
  /** Fair coin for blind mode's sides; default crypto's `randomInt(2) === 1`. Tests only. */
  flip?: () => boolean;
  /** ms between saving partial answers (default 1000). */
  saveEveryMs?: number;
  /** Datasets: where chosen answers go, and where batch prompts come from. */
  datasets?: ComparisonDatasets;
  /** Told when `blindHolds()` changed, so the engine status that clients see can follow. */
  onBlindHoldsChanged?: () => void;
}

export interface StartInput {
  messages: ChatMessage[];
  contenders: [Contender, Contender];
  blind: boolean;
}

export interface BatchInput {
  name?: string | undefined;
  /** Pasted prompts (blank ones skipped), or `datasetId` for the eval split of a dataset. */
  prompts?: string[] | undefined;
  datasetId?: string | undefined;
  systemPrompt?: string | undefined;
  contenders: [Contender, Contender];
  blind: boolean;
}

interface BatchArgs {
  batchId: string;
}

interface Active {
  controllers: Record<CompareSide, AbortController>;
  done: Promise<void>;
}

const sides: readonly CompareSide[] = ['a', 'b'];

/**
 * Side-by-side comparisons: the same context through two contenders, streamed as `compare.token`
 * events. Two contenders on one base model answer at once on two sequences of the loaded model;
 * contenders on different base models (or without a free sequence) answer one after the other,
 * which the comparison says (`mode`, `modeReason`). A side that cannot run (model or adapter gone,
 * failure, stop) ends `failed` or `stopped` with its own error and leaves the other side alone.
 */
export class CompareService {
  readonly #o: CompareServiceOptions;
  readonly #active = new Map<string, Active>();
  #closing = false;

  constructor(options: CompareServiceOptions) {
    this.#o = options;
    const stopped = options.repo.stopUnfinished();
    if (stopped > 0) options.logger.warn('comparisons interrupted by the last shutdown', { count: stopped });
    options.jobs.register<BatchArgs, { generated: number }>(compareBatchJobKind, (args, context) =>
      this.#runBatch(args, context),
    );
  }

  /** Starts a comparison; answers at once with both sides `pending`, then both stream. */
  start(input: StartInput): Comparison {
    const record = this.#newRecord(input.messages, input.contenders, input.blind, null, 0, null, null);
    this.#o.repo.insert([record]);
    this.#track(record.id, this.#generate(record.id));
    return this.get(record.id);
  }

  get(id: string): Comparison {
    return this.#view(this.#record(id));
  }

  list(input: { batchId?: string | undefined; limit?: number | undefined }): Comparison[] {
    if (input.batchId !== undefined) this.#batch(input.batchId);
    return this.#o.repo.list({ batchId: input.batchId, limit: input.limit ?? 200 }).map((r) => this.#view(r));
  }

  /** Stops one side (or both); a stopped side keeps its partial answer. */
  async stop(id: string, side?: CompareSide): Promise<Comparison> {
    this.#record(id);
    const active = this.#active.get(id);
    if (active) {
      for (const s of side ? [side] : sides)
        active.controllers[s].abort(new AppError('CANCELLED', 'Stopped by the user.'));
      if (!side) await active.done;
    }
    return this.get(id);
  }

  /**
   * Records the vote (replacing an earlier one), the reason and the ideal answer; reveals the
   * contenders of a blind comparison. CONFLICT while an answer is still being written.
   */
  vote(input: {
    id: string;
    vote: CompareVote;
    reason?: string | null | undefined;
    idealAnswer?: string | null | undefined;
  }): Comparison {
    const record = this.#record(input.id);
    if (sides.some((s) => ['pending', 'streaming'].includes(record.answers[s].status))) {
      throw new AppError('CONFLICT', 'Wait until both answers are written (or stop them) before voting.', {
        reason: 'still-generating',
      });
    }
    const reason = input.reason?.trim() ? input.reason.trim() : null;
    const idealAnswer = input.idealAnswer?.trim() ? input.idealAnswer : null;
    this.#o.repo.vote(record.id, { vote: input.vote, reason, idealAnswer, at: Date.now() });
    const view = this.#changed(record.id);
    if (record.batchId) this.#batchChanged(record.batchId);
    return view;
  }

  async delete(id: string): Promise<{ deleted: true }> {
    this.#record(id);
    await this.stop(id);
    this.#o.repo.delete(id);
    return { deleted: true };
  }

  /**
   * Adds the chosen answer (the ideal one, the winner, or the side named) to a dataset, linked back to
   * this comparison; see {@link ComparisonDatasets.add}. CONFLICT while an answer is being written.
   */
  toDataset(id: string, input: ToDatasetInput): DatasetExample {
    const record = this.#record(id);
    if (!this.#o.datasets) throw new AppError('UNSUPPORTED', 'Datasets are not available.');
    if (sides.some((s) => ['pending', 'streaming'].includes(record.answers[s].status))) {
      throw new AppError('CONFLICT', 'Wait until both answers are written.', { reason: 'still-generating' });
    }
    const example = this.#o.datasets.add(record, input);
    this.#changed(id);
    return example;
  }

  /**
   * Creates a batch review: one comparison per prompt, generated in a `compare.batch` job (each
   * comparison's two sides at once where they share a base model), answered at once.
   */
  startBatch(input: BatchInput): CompareBatch {
    const system: ChatMessage[] = input.systemPrompt?.trim() ? [{ role: 'system', content: input.systemPrompt }] : [];
    let items: { messages: ChatMessage[]; exampleId: string | null }[];
    if (input.datasetId !== undefined) {
      if (!this.#o.datasets) throw new AppError('UNSUPPORTED', 'Datasets are not available.');
      items = this.#o.datasets.evalPrompts(input.datasetId).map((p) => ({
        // A system prompt given here replaces the example's own.
        messages: system.length > 0 ? [...system, ...p.messages.filter((m) => m.role !== 'system')] : p.messages,
        exampleId: p.exampleId,
      }));
      if (items.length === 0) {
        throw new AppError(
          'INVALID_INPUT',
          'This dataset has no eval examples with a user turn: mark some as eval first.',
          {
            reason: 'no-eval-examples',
          },
        );
      }
    } else {
      items = (input.prompts ?? [])
        .map((p) => p.trim())
        .filter((p) => p.length > 0)
        .map((p) => ({ messages: [...system, { role: 'user' as const, content: p }], exampleId: null }));
      if (items.length === 0) {
        throw new AppError('INVALID_INPUT', 'Give at least one prompt.', { reason: 'no-prompts' });
      }
    }
    const now = Date.now();
    const sourceDatasetId = input.datasetId ?? null;
    const batch: BatchRecord = {
      id: randomUUID(),
      name: input.name?.trim() || `Batch review of ${items.length} prompt${items.length === 1 ? '' : 's'}`,
      jobId: null,
      blind: input.blind,
      contenders: input.contenders.map((c) => describeContender(c, this.#model(c.modelId))),
      sourceDatasetId,
      state: 'generating',
      createdAt: now,
    };
    const records = items.map((item, i) =>
      this.#newRecord(item.messages, input.contenders, input.blind, batch.id, i, sourceDatasetId, item.exampleId, now),
    );
    this.#o.repo.insertBatch(batch);
    this.#o.repo.insert(records);
    const job = this.#o.jobs.start<BatchArgs>(compareBatchJobKind, { batchId: batch.id }, batch.name);
    this.#o.repo.updateBatch(batch.id, { jobId: job.id });
    return this.#batchChanged(batch.id);
  }

  batches(limit = 100): CompareBatch[] {
    return this.#o.repo.batches(limit).map((b) => this.#batchView(b));
  }

  batch(id: string): CompareBatch {
    return this.#batchView(this.#batch(id));
  }

  /** Cancels a generating batch through its job; what was generated stays votable. */
  async cancelBatch(id: string): Promise<CompareBatch> {
    const batch = this.#batch(id);
    if (batch.state !== 'generating' || !batch.jobId) {
      throw new AppError('CONFLICT', 'This batch is not generating.', { state: batch.state });
    }
    await this.#o.jobs.cancel(batch.jobId);
    await this.#o.jobs.wait(batch.jobId);
    return this.batch(id);
  }

  async deleteBatch(id: string): Promise<{ deleted: true }> {
    const batch = this.#batch(id);
    if (batch.state === 'generating' && batch.jobId) {
      await this.#o.jobs.cancel(batch.jobId).catch(() => undefined);
      await this.#o.jobs.wait(batch.jobId);
    }
    this.#o.repo.deleteBatch(id);
    return { deleted: true };
  }

  /**
   * Win rates of every pair of players that met (95 % Wilson interval over decisive votes; ties
   * and both-bad counted apart) and a Bradley-Terry leaderboard (draws = half a win each; ratings
   * on the Elo scale, 1000 = average).
   */
  results(filter: VotedFilter): CompareResults {
    const voted = this.#o.repo.voted(filter).filter((c) => c.contenders.a.key !== c.contenders.b.key);
    const labels = new Map<string, string>();
    const rows = new Map<string, LeaderboardRow>();
    const pairs = new Map<string, HeadToHead>();
    const games: Game[] = [];
    const row = (c: StoredContender): LeaderboardRow => {
      labels.set(c.key, c.label);
      let r = rows.get(c.key);
      if (!r) {
        r = { key: c.key, label: c.label, rating: 1000, wins: 0, losses: 0, ties: 0, bothBad: 0, games: 0 };
        rows.set(c.key, r);
      }
      r.label = c.label;
      return r;
    };
    for (const c of voted) {
      const { a, b } = c.contenders;
      const ra = row(a);
      const rb = row(b);
      ra.games++;
      rb.games++;
      const [first, second] = a.key < b.key ? [a, b] : [b, a];
      const pairKey = `${first.key}\n${second.key}`;
      let pair = pairs.get(pairKey);
      if (!pair) {
        pair = {
          a: first.key,
          b: second.key,
          aLabel: first.label,
          bLabel: second.label,
          aWins: 0,
          bWins: 0,
          ties: 0,
          bothBad: 0,
          winRate: null,
          low: null,
          high: null,
        };
        pairs.set(pairKey, pair);
      }
      const winner = c.vote === 'a' ? a : c.vote === 'b' ? b : null;
      if (winner) {
        const loser = winner === a ? b : a;
        rows.get(winner.key)!.wins++;
        rows.get(loser.key)!.losses++;
        if (winner.key === pair.a) pair.aWins++;
        else pair.bWins++;
        games.push({ a: winner.key, b: loser.key, score: 1 });
      } else {
        const field = c.vote === 'tie' ? 'ties' : 'bothBad';
        ra[field]++;
        rb[field]++;
        pair[field]++;
        games.push({ a: a.key, b: b.key, score: 0.5 });
      }
    }
    const strengths = bradleyTerry(games);
    for (const r of rows.values()) r.rating = Math.round(eloScale(strengths.get(r.key) ?? 1) * 10) / 10;
    for (const p of pairs.values()) {
      const n = p.aWins + p.bWins;
      const interval = wilsonInterval(p.aWins, n);
      p.winRate = n > 0 ? p.aWins / n : null;
      p.low = interval?.low ?? null;
      p.high = interval?.high ?? null;
    }
    return {
      leaderboard: [...rows.values()].sort((x, y) => y.rating - x.rating || y.games - x.games),
      pairs: [...pairs.values()].sort(
        (x, y) => y.aWins + y.bWins + y.ties + y.bothBad - (x.aWins + x.bWins + x.ties + x.bothBad),
      ),
      votes: voted.length,
    };
  }

  /** Stops every running comparison and waits for them. */
  async close(): Promise<void> {
    this.#closing = true; // no engine restores while shutting down
    const all = [...this.#active.values()];
    for (const a of all)
      for (const s of sides) a.controllers[s].abort(new AppError('CANCELLED', 'Lathe is shutting down.'));
    await Promise.allSettled(all.map((a) => a.done));
  }

  /** Resolves when a comparison's generation is over, the engine's restore after a blind one included. */
  async settle(id: string): Promise<void> {
    await this.#active.get(id)?.done;
  }

  /** The stored record (for the services that build on comparisons); NOT_FOUND when unknown. */
  record(id: string): ComparisonRecord {
    return this.#record(id);
  }

  #newRecord(
    messages: ChatMessage[],
    contenders: [Contender, Contender],
    blind: boolean,
    batchId: string | null,
    position: number,
    sourceDatasetId: string | null,
    sourceExampleId: string | null,
    now = Date.now(),
  ): ComparisonRecord {
    const last = messages.at(-1);
    if (!last || last.role !== 'user') {
      throw new AppError('INVALID_INPUT', 'The context must end with a user message.', { reason: 'no-user-message' });
    }
    const described = contenders.map((c) => describeContender(c, this.#model(c.modelId))) as [
      StoredContender,
      StoredContender,
    ];
    // Blind mode: a fair coin, server-side, decides which contender is on the left.
    const swapped = blind && (this.#o.flip ? this.#o.flip() : randomInt(2) === 1);
    const [a, b] = swapped ? [described[1], described[0]] : described;
    const parallel = a.modelId === b.modelId && (this.#o.sequences ?? 2) >= 2;
    const pending = { content: '', status: 'pending' as const, error: null, stats: null };
    return {
      id: randomUUID(),
      batchId,
      position,
      messages,
      blind,
      swapped,
      mode: parallel ? 'parallel' : 'sequential',
      modeReason: parallel
        ? null
        : a.modelId !== b.modelId
          ? 'different base models'
          : 'the engine has one sequence per model',
      contenders: { a, b },
      answers: { a: { ...pending }, b: { ...pending } },
      vote: null,
      reason: null,
      idealAnswer: null,
      sourceDatasetId,
      sourceExampleId,
      createdAt: now,
      votedAt: null,
    };
  }

  readonly #holds = new Set<string>();

  /**
   * Owners that the engine status shown to clients lists as generating, besides the real ones: one
   * per blind comparison (and blind batch) from its first side until its engine restore is done.
   * Between two sides, or two comparisons of a batch, nothing generates for a moment, and the status
   * would show which model the side before had loaded.
   */
  blindHolds(): string[] {
    return [...this.#holds];
  }

  async #holdBlind<T>(key: string, work: () => Promise<T>): Promise<T> {
    const owner = `${blindComparisonOwnerPrefix}hold-${key}`;
    this.#holds.add(owner);
    this.#o.onBlindHoldsChanged?.();
    try {
      return await work();
    } finally {
      this.#holds.delete(owner);
      this.#o.onBlindHoldsChanged?.();
    }
  }

  #track(id: string, done: Promise<void>): void {
    const active = this.#active.get(id);
    if (active) active.done = done.finally(() => this.#active.delete(id));
  }

  /**
   * The models of a blind comparison whose sides load different models one after the other: the
   * model left loaded afterwards (which the Models page shows) would be the second side's. Null
   * when the comparison tells nothing that way.
   */
  #blindModels(record: ComparisonRecord): Set<string> | null {
    const { a, b } = record.contenders;
    return record.blind && a.modelId !== b.modelId ? new Set([a.modelId, b.modelId]) : null;
  }

  /**
   * After blind comparisons of two models: gives the engine back as it was before them (the model
   * loaded then, or none), so the loaded model does not say which side came last. Leaves it alone
   * when what is loaded now is not one of theirs (someone loaded another meanwhile).
   */
  async #restoreEngine(before: string | null, models: Set<string>): Promise<void> {
    if (this.#closing) return;
    const now = this.#o.inference.status().modelId;
    if (now === before || now === null || !models.has(now)) return;
    try {
      if (before === null) await this.#o.inference.unload();
      else await this.#o.inference.load(before);
    } catch (error) {
      // BUSY (a chat started generating meanwhile) or a model gone: nothing to give back then
      this.#o.logger.warn('could not restore the engine after a blind comparison', { before, error });
    }
  }

  /** Generates both sides of a stored comparison; never throws (each side stores its own failure). */
  #generate(id: string, outer?: AbortSignal): Promise<void> {
    // A batch restores the engine once, after its last comparison.
    const blindModels = outer === undefined ? this.#blindModels(this.#record(id)) : null;
    const before = blindModels ? this.#o.inference.status().modelId : null;
    const controllers = { a: new AbortController(), b: new AbortController() };
    const onOuterAbort = () => {
      for (const s of sides) controllers[s].abort(outer?.reason ?? new AppError('CANCELLED', 'Cancelled.'));
    };
    outer?.addEventListener('abort', onOuterAbort, { once: true });
    const active: Active = { controllers, done: Promise.resolve() };
    this.#active.set(id, active);
    const run = async () => {
      const record = this.#record(id);
      if (record.mode === 'parallel') {
        const [pa, pb] = await Promise.all([
          this.#prepare(record, 'a', controllers.a.signal),
          this.#prepare(record, 'b', controllers.b.signal),
        ]);
        if (pb.kind === 'busy') {
          // No free sequence for the second side (a chat is using one): fall back to one after the other.
          this.#o.repo.setMode(id, 'sequential', 'no free sequence for both at once');
          this.#changed(id);
          await this.#runSide(record, 'a', pa, controllers.a.signal);
          await this.#runSide(
            record,
            'b',
            await this.#prepare(record, 'b', controllers.b.signal),
            controllers.b.signal,
          );
        } else {
          await Promise.all([
            this.#runSide(record, 'a', pa, controllers.a.signal),
            this.#runSide(record, 'b', pb, controllers.b.signal),
          ]);
        }
      } else {
        for (const s of sides) {
          await this.#runSide(record, s, await this.#prepare(record, s, controllers[s].signal), controllers[s].signal);
        }
      }
    };
    const all = () =>
      run()
        .catch((error: unknown) => this.#o.logger.error('comparison failed', { id, error }))
        .finally(async () => {
          outer?.removeEventListener('abort', onOuterAbort);
          if (blindModels) await this.#restoreEngine(before, blindModels);
        });
    // A batch holds the status itself, from its first comparison to its restore.
    return this.#record(id).blind && outer === undefined ? this.#holdBlind(id, all) : all();
  }

  async #prepare(
    record: ComparisonRecord,
    side: CompareSide,
    signal: AbortSignal,
  ): Promise<{ kind: 'ready'; prepared: PreparedGeneration } | { kind: 'failed'; error: unknown } | { kind: 'busy' }> {
    if (signal.aborted) return { kind: 'failed', error: signal.reason };
    const contender = record.contenders[side];
    try {
      const prepared = await this.#o.inference.prepare({
        // Opaque: inference status is pushed to every client, and must not say which side is which
        // (the prefix only says a blind comparison is running: pages then hide the loaded model).
        owner: `${record.blind ? blindComparisonOwnerPrefix : 'compare:'}${randomUUID()}`,
        modelId: contender.modelId,
        adapters: contender.adapters,
        messages: record.messages,
        sampling: contender.sampling,
      });
      return { kind: 'ready', prepared };
    } catch (error) {
      if (record.mode === 'parallel' && side === 'b' && error instanceof AppError && error.code === 'BUSY') {
        return { kind: 'busy' };
      }
      return { kind: 'failed', error };
    }
  }

  async #runSide(
    record: ComparisonRecord,
    side: CompareSide,
    prep: { kind: 'ready'; prepared: PreparedGeneration } | { kind: 'failed'; error: unknown } | { kind: 'busy' },
    signal: AbortSignal,
  ): Promise<void> {
    const { repo, events } = this.#o;
    const id = record.id;
    if (prep.kind !== 'ready') {
      const error =
        prep.kind === 'busy' ? new AppError('BUSY', 'No free sequence to generate this answer.') : prep.error;
      const data = toAppErrorData(error);
      const stopped = data.code === 'CANCELLED';
      repo.saveAnswer(id, side, { status: stopped ? 'stopped' : 'failed', error: stopped ? null : data });
      this.#changed(id);
      return;
    }
    if (signal.aborted) {
      prep.prepared.discard();
      repo.saveAnswer(id, side, { status: 'stopped' });
      this.#changed(id);
      return;
    }
    repo.saveAnswer(id, side, { status: 'streaming' });
    this.#changed(id);
    const batcher = new DeltaBatcher((delta) => events.emit('compare.token', { comparisonId: id, side, delta }));
    const saver = setInterval(() => repo.saveAnswer(id, side, { content: batcher.text }), this.#o.saveEveryMs ?? 1000);
    try {
      const outcome = await prep.prepared.run({ signal, onText: (delta) => batcher.push(delta) });
      batcher.flush();
      repo.saveAnswer(id, side, {
        content: outcome.text,
        status: outcome.stopReason === 'aborted' ? 'stopped' : 'done',
        error: null,
        stats: outcome.stats,
      });
    } catch (error) {
      batcher.flush();
      const data = toAppErrorData(error);
      if (data.code === 'INTERNAL') this.#o.logger.error('comparison side failed', { id, side, error });
      repo.saveAnswer(id, side, { content: batcher.text, status: 'failed', error: data, stats: null });
    } finally {
      clearInterval(saver);
    }
    this.#changed(id);
  }

  #runBatch(args: BatchArgs, context: JobContext): Promise<{ generated: number }> {
    const batch = this.#batch(args.batchId);
    return batch.blind
      ? this.#holdBlind(`batch-${batch.id}`, () => this.#batchWork(args, context))
      : this.#batchWork(args, context);
  }

  async #batchWork(args: BatchArgs, context: JobContext): Promise<{ generated: number }> {
    const { repo } = this.#o;
    const batch = this.#batch(args.batchId);
    const all = repo.list({ batchId: batch.id, limit: 100_000 });
    const todo = all.filter((c) => c.answers.a.status === 'pending' || c.answers.b.status === 'pending');
    const started = performance.now();
    let done = 0;
    const before = this.#o.inference.status().modelId;
    const blindModels = new Set(todo.flatMap((c) => [...(this.#blindModels(this.#record(c.id)) ?? [])]));
    try {
      for (const c of todo) {
        if (context.signal.aborted) break;
        const work = this.#generate(c.id, context.signal);
        this.#track(c.id, work);
        await work;
        done++;
        const elapsed = (performance.now() - started) / 1000;
        const each = elapsed / done;
        const left = Math.round(each * (todo.length - done));
        context.onProgress({
          progress: (all.length - todo.length + done) / all.length,
          message: `${all.length - todo.length + done} of ${all.length} · ${each.toFixed(1)} s each · ${
            left >= 60 ? `about ${Math.ceil(left / 60)} min left` : `${left} s left`
          }`,
        });
        this.#batchChanged(batch.id);
      }
    } finally {
      const cancelled = context.signal.aborted;
      for (const c of repo.list({ batchId: batch.id, limit: 100_000 })) {
        for (const s of sides) if (c.answers[s].status === 'pending') repo.saveAnswer(c.id, s, { status: 'stopped' });
      }
      if (blindModels.size > 0) await this.#restoreEngine(before, blindModels);
      repo.updateBatch(batch.id, { state: cancelled ? 'cancelled' : 'ready' });
      this.#batchChanged(batch.id);
    }
    if (context.signal.aborted) throw new AppError('CANCELLED', 'Batch review cancelled.');
    return { generated: done };
  }

  #model(modelId: string): ModelInfo | null {
    try {
      return this.#o.models.get(modelId);
    } catch {
      return null;
    }
  }

  #record(id: string): ComparisonRecord {
    const record = this.#o.repo.get(id);
    if (!record) throw new AppError('NOT_FOUND', `No comparison with id ${id}.`, { id });
    return record;
  }

  #batch(id: string): BatchRecord {
    const batch = this.#o.repo.batch(id);
    if (!batch) throw new AppError('NOT_FOUND', `No batch review with id ${id}.`, { id });
    return batch;
  }

  #changed(id: string): Comparison {
    const view = this.get(id);
    this.#o.events.emit('compare.updated', view);
    return view;
  }

  #batchChanged(id: string): CompareBatch {
    const view = this.batch(id);
    this.#o.events.emit('compare.batch', view);
    return view;
  }

  /** What clients see: in blind mode, nothing of who is on which side until the vote. */
  #view(r: ComparisonRecord): Comparison {
    const hidden = r.blind && r.vote === null;
    const answer = (s: CompareSide) => ({
      content: r.answers[s].content,
      status: r.answers[s].status,
      error: r.answers[s].error,
      stats: hidden ? null : r.answers[s].stats,
      contender: hidden ? null : r.contenders[s],
    });
    return {
      id: r.id,
      batchId: r.batchId,
      position: r.position,
      messages: r.messages,
      blind: r.blind,
      mode: r.mode,
      modeReason: r.modeReason,
      a: answer('a'),
      b: answer('b'),
      vote: r.vote,
      reason: r.reason,
      idealAnswer: r.idealAnswer,
      sourceDatasetId: r.sourceDatasetId,
      datasetExampleIds: this.#o.datasets?.examplesOf(r.id) ?? [],
      createdAt: r.createdAt,
      votedAt: r.votedAt,
    };
  }

  #batchView(b: BatchRecord): CompareBatch {
    const counts = this.#o.repo.batchCounts(b.id);
    return {
      id: b.id,
      name: b.name,
      jobId: b.jobId,
      blind: b.blind,
      contenders: b.contenders,
      sourceDatasetId: b.sourceDatasetId,
      total: counts.total,
      generated: counts.generated,
      voted: counts.voted,
      state: b.state,
      createdAt: b.createdAt,
    };
  }
}
