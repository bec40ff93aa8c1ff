import { z } from 'zod';
import {
  compareBatchSchema,
  compareSides,
  compareVotes,
  comparisonSchema,
  contenderSchema,
  preferenceFormats,
  preferenceSources,
  type ChatPreference,
  type CompareBatch,
  type CompareResults,
  type Comparison,
  type PreferenceSummary,
} from './compare';
import {
  adapterRefSchema,
  conversationSchema,
  exportFormats,
  hyperparamsSchema,
  inferenceStatusSchema,
  samplingPresetNames,
  samplingSchema,
  storedMessageSchema,
  jobSchema,
  jobStates,
  themes,
  trainingDataSourceSchema,
  trainingProgressSchema,
  type Adapter,
  type AppInfo,
  type CatalogEntry,
  type HardwareInfo,
  type ModelFit,
  type ChatThread,
  type ChatTurnStarted,
  type Conversation,
  type ConversationSummary,
  type InferenceStatus,
  type KeptExample,
  type ModelInfo,
  type ModelVariant,
  type StoredMessage,
  type Hyperparams,
  type Job,
  type Settings,
  type TrainingEstimate,
  type TrainingMetricPoint,
  type TrainingRun,
} from './domain';
import type { AppErrorData } from './errors';
import { apiConfigureSchema, type ApiServerStatus } from './api';
import {
  bulkActionSchema,
  csvMappingSchema,
  datasetFormats,
  datasetNameSchema,
  exampleFilterSchema,
  exampleMessagesSchema,
  exampleSorts,
  exampleSplits,
  hygieneKinds,
  importErrorPolicies,
  tagsSchema,
  type DatasetExample,
  type DatasetInfo,
  type ExampleSummary,
  type HygieneReport,
  type SniffResult,
  type TokenStats,
} from './datasets';

/**
 * Declares a method: a zod schema for its input and, as a phantom type, its output.
 * Inputs are always objects and strict, so unknown keys are rejected rather than ignored.
 */
function method<Output>() {
  return <Input extends z.ZodObject>(input: Input) => ({ input, output: undefined as unknown as Output });
}

const id = z.string().min(1).max(200);
const empty = z.object({}).strict();
/** An absolute path on the machine running Lathe (POSIX `/…`, Windows `C:\…` or `\\server\…`). */
const absolutePath = z
  .string()
  .min(2)
  .max(4096)
  .regex(/^(\/|[A-Za-z]:[\\/]|\\\\)/, 'must be an absolute path');
const title = z.string().trim().min(1).max(200);
const systemPrompt = z.string().max(100_000);
const messageContent = z.string().min(1).max(200_000);
const adapterRefs = z.array(adapterRefSchema).max(8);
const samplingPatch = samplingSchema.partial().strict();
/**
 * Where to download a GGUF from: `hf:<user>/<repo>/<path/file.gguf>`, `hf:<user>/<repo>:<quant>`
 * (either with an optional `#<branch>`), or an `http(s)://` URL (an optional `#sha256=<hex>` fragment
 * gives the expected checksum; it is never sent to the server).
 */
const downloadSource = z
  .string()
  .trim()
  .min(4)
  .max(2048)
  .regex(
    /^(hf:[\w.-]+\/[\w.-]+(:[\w.-]+|\/[^\s#?]+\.gguf)(#[\w./-]+)?|https?:\/\/[^\s]+)$/i,
    'must be hf:<user>/<repo>/<file.gguf>, hf:<user>/<repo>:<quant> or an http(s) URL',
  );

/** A turn of a comparison's context. */
const compareMessage = z
  .object({ role: z.enum(['system', 'user', 'assistant']), content: z.string().min(1).max(200_000) })
  .strict();
/** Which votes the results and exports count: a time window on the vote, a dataset or a batch. */
const resultsFilter = z
  .object({
    datasetId: id.optional(),
    batchId: id.optional(),
    since: z.number().int().min(0).optional(),
    until: z.number().int().min(0).optional(),
  })
  .strict();

/** Every method the renderer (or any client) may call, named `domain.verb`. */
export const methods = {
  'app.info': method<AppInfo>()(empty),

  'settings.get': method<Settings>()(empty),
  'settings.update': method<Settings>()(
    z
      .object({
        theme: z.enum(themes).optional(),
        modelsDir: z.string().min(1).max(4096).optional(),
        /** A Hugging Face access token (`hf_…`), sent only to the hub; `null` forgets it. */
        huggingFaceToken: z
          .string()
          .trim()
          .regex(/^hf_[A-Za-z0-9]{20,200}$/, 'must be a Hugging Face access token (hf_ followed by letters and digits)')
          .nullable()
          .optional(),
      })
      .strict(),
  ),

  'jobs.list': method<Job[]>()(
    z
      .object({
        states: z.array(z.enum(jobStates)).max(jobStates.length).optional(),
        kind: z.string().min(1).max(100).optional(),
        limit: z.number().int().min(1).max(1000).optional(),
      })
      .strict(),
  ),
  'jobs.get': method<Job>()(z.object({ id }).strict()),
  'jobs.cancel': method<Job>()(z.object({ id }).strict()),
  /** Deletes finished jobs (succeeded, failed, cancelled, interrupted); returns how many. */
  'jobs.clearFinished': method<{ deleted: number }>()(empty),

  /** The hyperparameters a new fine-tune gets unless told otherwise. */
  'training.defaults': method<Hyperparams>()(empty),
  /** Starts a fine-tune in its own process; answers the run (its job id included) at once. */
  'training.start': method<TrainingRun>()(
    z
      .object({
        name: z.string().max(200).optional(),
        /** A model of the library (NOT_FOUND, `details.reason: 'missing'`, when its file is gone). */
        baseModelId: id.optional(),
        /** Or the absolute path of a GGUF base model on the machine running Lathe. */
        baseModelPath: z.string().min(1).max(4096).optional(),
        data: trainingDataSourceSchema,
        hyperparams: hyperparamsSchema.partial().strict().optional(),
      })
      .strict()
      .refine((v) => (v.baseModelId === undefined) !== (v.baseModelPath === undefined), {
        message: 'give either baseModelId or baseModelPath',
        path: ['baseModelId'],
      }),
  ),
  /**
   * The memory a fine-tune of this base model with these settings would need, and on which device,
   * before starting it (the run itself re-plans with its data, and reports what it allocated). With
   * a dataset whose tokens are counted for the library model, it plans the window as the run will.
   */
  'training.estimate': method<TrainingEstimate>()(
    z
      .object({
        baseModelId: id.optional(),
        baseModelPath: z.string().min(1).max(4096).optional(),
        data: trainingDataSourceSchema.optional(),
        hyperparams: hyperparamsSchema.partial().strict().optional(),
      })
      .strict()
      .refine((v) => (v.baseModelId === undefined) !== (v.baseModelPath === undefined), {
        message: 'give either baseModelId or baseModelPath',
        path: ['baseModelId'],
      }),
  ),
  'training.cancel': method<TrainingRun>()(z.object({ id }).strict()),
  /** Continues a cancelled, interrupted or failed run from its last checkpoint. */
  'training.resume': method<TrainingRun>()(z.object({ id }).strict()),
  'training.list': method<TrainingRun[]>()(empty),
  /** A run with every recorded step, for the loss chart. */
  'training.get': method<{ run: TrainingRun; metrics: TrainingMetricPoint[] }>()(z.object({ id }).strict()),
  /**
   * Exports a fine-tune as a standalone model: the adapter folded into its base model's weights, a
   * GGUF written to `path` (default: the models folder, named after `name`) and added to the
   * library unless `addToLibrary` is false. A job; its result is a `MergedModel`.
   */
  'adapters.merge': method<{ job: Job }>()(
    z
      .object({
        adapterId: id,
        path: absolutePath.optional(),
        name: title.optional(),
        addToLibrary: z.boolean().optional(),
      })
      .strict(),
  ),
  /** Adapters produced by fine-tuning, optionally only those of one base model (by content hash). */
  'adapters.list': method<Adapter[]>()(
    z
      .object({
        baseModelSha256: z
          .string()
          .regex(/^[0-9a-f]{64}$/)
          .optional(),
      })
      .strict(),
  ),

  // ─── Models ───────────────────────────────────────────────────────────────
  /**
   * Adds a GGUF file to the library. Checks the magic and reads the metadata at once (a non-GGUF,
   * a truncated file or an unknown architecture is refused here, with `details.reason`), then
   * hashes the file in a `models.import` job and answers that job immediately. The job's
   * `result` is `{modelId}` ({@link ModelImportResult}); a file whose hash is already in the
   * library fails the job with CONFLICT and `details.existingId`. The file is referenced, not copied.
   */
  'models.import': method<{ job: Job }>()(
    z
      .object({
        path: absolutePath,
        /** Display name; default `general.name` or the file name. */ name: title.optional(),
      })
      .strict(),
  ),
  /** Every model in the library, newest first, each with `missing` re-checked and its variants. */
  'models.list': method<ModelInfo[]>()(empty),
  /** One model (NOT_FOUND if unknown). */
  'models.get': method<ModelInfo>()(z.object({ id }).strict()),
  'models.rename': method<ModelInfo>()(z.object({ id, name: title }).strict()),
  /**
   * Removes a model from the library (its conversations keep their messages, with no model
   * chosen). `deleteFile: true` also deletes the GGUF from disk (default false). Unloads it first
   * if it is in memory; BUSY while it is generating.
   */
  'models.delete': method<{ deleted: true; fileDeleted: boolean }>()(
    z.object({ id, deleteFile: z.boolean().optional() }).strict(),
  ),
  /** The fine-tuned adapters of a model (matched by the base's sha256), newest first. */
  'models.variants': method<ModelVariant[]>()(z.object({ modelId: id }).strict()),
  /**
   * Downloads a GGUF into the models folder in a `models.download` job (answered at once), then
   * imports it; the job's `result` is {@link ModelDownloadResult}. Progress messages give bytes,
   * speed and time left. A partial file is kept when the job is cancelled, interrupted or loses its
   * connection: issuing the same `source` again (or `models.downloadResume`) continues it. A published
   * SHA-256 (Hugging Face LFS, `#sha256=`, a `<url>.sha256` file) is checked. Failures carry
   * `details.reason` from `downloadErrorReasons`.
   */
  'models.download': method<{ job: Job }>()(z.object({ source: downloadSource, name: title.optional() }).strict()),
  /** Starts a new download job continuing a cancelled, failed or interrupted one (CONFLICT otherwise). */
  'models.downloadResume': method<{ job: Job }>()(z.object({ jobId: id }).strict()),
  /** Deletes the partial file of a finished download job; CONFLICT while it runs. */
  'models.downloadDiscard': method<{ deleted: boolean }>()(z.object({ jobId: id }).strict()),
  /** The curated models Lathe suggests, with their files per quantization (sizes approximate). */
  'models.catalog': method<CatalogEntry[]>()(empty),
  /**
   * Whether a model fits this machine and where it would run, estimated from its GGUF header
   * (nothing is loaded). Give `modelId` (a library model) or `path` (any GGUF), not both.
   * `contextSize` default 4096 (or the trained length if smaller); `gpuLayers` default: as many as fit.
   */
  'models.fit': method<ModelFit>()(
    z
      .object({
        modelId: id.optional(),
        path: absolutePath.optional(),
        contextSize: z.number().int().min(16).max(1_048_576).optional(),
        gpuLayers: z.number().int().min(0).max(10_000).optional(),
      })
      .strict()
      .refine((v) => (v.modelId === undefined) !== (v.path === undefined), 'give either modelId or path'),
  ),

  // ─── System ───────────────────────────────────────────────────────────────
  /** CPU, RAM and GPU of the machine running Lathe, as llama.cpp sees them. */
  'system.hardware': method<HardwareInfo>()(empty),

  // ─── Inference ────────────────────────────────────────────────────────────
  /** Which model is in memory and what is generating. */
  'inference.status': method<InferenceStatus>()(empty),
  /**
   * Loads a model (and optionally prepares a context for an adapter set) ahead of the first
   * message; resolves when ready. Unloads the previous model if it is another one; BUSY while
   * that one is generating. `chat.send` loads on demand, so this is only for a snappier first answer.
   */
  'inference.load': method<InferenceStatus>()(z.object({ modelId: id, adapters: adapterRefs.optional() }).strict()),
  /** Frees the model's memory; BUSY while it is generating. */
  'inference.unload': method<InferenceStatus>()(empty),

  // ─── Chat ─────────────────────────────────────────────────────────────────
  /**
   * Conversations, most recently updated first. `search` matches titles and message text
   * (case-insensitive substring); matches in messages come with a `snippet`.
   */
  'chat.conversations.list': method<ConversationSummary[]>()(
    z
      .object({
        search: z.string().max(200).optional(),
        limit: z.number().int().min(1).max(1000).optional(),
      })
      .strict(),
  ),
  'chat.conversations.get': method<Conversation>()(z.object({ id }).strict()),
  /**
   * A new, empty conversation. Defaults: title "New chat" (replaced by the start of the first
   * message), empty system prompt, no model, no adapters, the `balanced` preset; `preset` picks
   * another base and `sampling` overrides single fields on top of it.
   */
  'chat.conversations.create': method<Conversation>()(
    z
      .object({
        title: title.optional(),
        systemPrompt: systemPrompt.optional(),
        modelId: id.nullable().optional(),
        adapters: adapterRefs.optional(),
        preset: z.enum(samplingPresetNames).optional(),
        sampling: samplingPatch.optional(),
      })
      .strict(),
  ),
  'chat.conversations.rename': method<Conversation>()(z.object({ id, title }).strict()),
  /** Deletes a conversation and its messages (kept examples stay, unlinked); stops its generation. */
  'chat.conversations.delete': method<{ deleted: true }>()(z.object({ id }).strict()),
  /**
   * Changes the settings used by the next answers (stored answers keep what they were made with).
   * `preset` replaces all sampling fields, then `sampling` overrides single ones.
   * Adapters must belong to the model (CONFLICT, `details.reason: 'adapter-mismatch'`).
   */
  'chat.conversations.update': method<Conversation>()(
    z
      .object({
        id,
        systemPrompt: systemPrompt.optional(),
        modelId: id.nullable().optional(),
        adapters: adapterRefs.optional(),
        preset: z.enum(samplingPresetNames).optional(),
        sampling: samplingPatch.optional(),
      })
      .strict(),
  ),
  /**
   * Adds a user message under `parentId` (default: the active leaf; `null`: a new branch from the
   * start) and starts the answer. Resolves once the model is loaded and the prompt checked, with
   * both ids; the answer then streams as `chat.token` events and ends with one `chat.message`
   * (status `done`, `stopped` or `failed`). BUSY while this conversation is generating;
   * INVALID_INPUT (`details.reason: 'prompt-too-long'`) when even the system prompt and this
   * message alone do not fit the context; older turns that do not fit are left out of the prompt
   * and the answer gets `truncatedContext: true`. No model chosen → CONFLICT.
   */
  'chat.send': method<ChatTurnStarted>()(
    z.object({ conversationId: id, parentId: id.nullable().optional(), content: messageContent }).strict(),
  ),
  /** A new answer to the same user message (a sibling of `messageId`, an assistant message). */
  'chat.regenerate': method<ChatTurnStarted>()(z.object({ messageId: id }).strict()),
  /**
   * Goes on with the answer `messageId` where it stopped (stopped by the user, at its token limit,
   * or failed with text): the same message streams again (`chat.token` deltas are what it adds) and
   * ends with one `chat.message`. The model and adapters that began it write it, with the
   * conversation's sampling now and the answer's own thinking switch. CONFLICT: not an answer,
   * `reason: 'has-replies'` (only the last answer of a branch), `reason: 'empty'` (nothing to go on
   * from); BUSY while the conversation answers.
   */
  'chat.continue': method<ChatTurnStarted>()(z.object({ messageId: id }).strict()),
  /**
   * A new version of the answer `messageId` written by hand (a sibling, `edited: true`, no thought),
   * shown at once and answered with: the next turns see it, `chat.continue` goes on from it (a
   * prefilled answer), `chat.keep` keeps it. CONFLICT for a question; BUSY while the conversation answers.
   */
  'chat.editAnswer': method<StoredMessage>()(z.object({ messageId: id, content: messageContent }).strict()),
  /** A new sibling of the user message `messageId` with `content`, and a new answer to it. */
  'chat.edit': method<ChatTurnStarted>()(z.object({ messageId: id, content: messageContent }).strict()),
  /** Stops the conversation's generation; the partial answer is stored with status `stopped`. */
  'chat.stop': method<{ stopped: boolean }>()(z.object({ conversationId: id }).strict()),
  /**
   * The branch ending at `leafId` (default: the active leaf), root first, continued down to the
   * newest descendant of `leafId` when it is not a leaf. Passing `leafId` also makes that branch the
   * active one (so navigation with `< 2/3 >` is remembered): pass a sibling id from `siblingIds`.
   */
  'chat.thread': method<ChatThread>()(z.object({ conversationId: id, leafId: id.optional() }).strict()),
  /** The active branch as text: `json` ({title, systemPrompt, model, messages}) or `markdown`. */
  'chat.export': method<{ filename: string; mimeType: string; text: string }>()(
    z.object({ conversationId: id, format: z.enum(exportFormats), leafId: id.optional() }).strict(),
  ),
  /** Thumbs up/down on an assistant message; null clears it. */
  'chat.feedback': method<StoredMessage>()(
    z.object({ messageId: id, rating: z.enum(['up', 'down']).nullable() }).strict(),
  ),
  /**
   * "Add to dataset": stores the conversation up to this assistant answer (system prompt, turns of
   * its branch, the answer — replaced by `editedContent` when given) as a kept example linked to
   * the message. Keeping the same answer again replaces the earlier example. The example goes to
   * `datasetId`, or to the dataset "Kept from chat" (created on demand).
   */
  'chat.keep': method<KeptExample>()(
    z
      .object({
        messageId: id,
        editedContent: messageContent.optional(),
        datasetId: id.optional(),
        /**
         * Keep the answer's thought too, before it as `<think>…</think>` (the form reasoning datasets
         * use): a fine-tune of a model that can think learns to think this way (trained, and asked,
         * with thinking on). CONFLICT (`reason: 'no-thought'`) for an answer without one.
         */
        withThought: z.boolean().optional(),
      })
      .strict(),
  ),

  // ─── Compare and preferences ──────────────────────────────────────────────
  /**
   * Sends a context (optional system turn first, last a user turn) to two contenders and answers at
   * once with both sides `pending`; the answers stream as `compare.token` events and every status
   * change comes as `compare.updated`. Contenders on one base model answer at once; on different
   * base models one after the other (`mode: 'sequential'`, `modeReason`). `blind` (default false)
   * draws the sides server-side and hides which contender is where (and their stats) until the vote.
   * A contender whose model or adapter is gone fails on its side only (NOT_FOUND, `details.reason`).
   */
  'compare.start': method<Comparison>()(
    z
      .object({
        messages: z.array(compareMessage).min(1).max(200),
        contenders: z.tuple([contenderSchema, contenderSchema]),
        blind: z.boolean().default(false),
      })
      .strict(),
  ),
  'compare.get': method<Comparison>()(z.object({ id }).strict()),
  /** Single comparisons newest first, or a batch's in batch order. `limit` default 200. */
  'compare.list': method<Comparison[]>()(
    z.object({ batchId: id.optional(), limit: z.number().int().min(1).max(10_000).optional() }).strict(),
  ),
  /** Stops one side (`side`) or both; a stopped side keeps its partial answer. */
  'compare.stop': method<Comparison>()(z.object({ id, side: z.enum(compareSides).optional() }).strict()),
  /**
   * Votes `a`, `b`, `tie` or `both_bad` (replacing an earlier vote), with an optional reason and the
   * ideal answer the user edited; reveals a blind comparison's contenders. CONFLICT
   * (`still-generating`) while an answer is being written.
   */
  'compare.vote': method<Comparison>()(
    z
      .object({
        id,
        vote: z.enum(compareVotes),
        reason: z.string().max(5000).nullable().optional(),
        idealAnswer: z.string().max(200_000).nullable().optional(),
      })
      .strict(),
  ),
  'compare.delete': method<{ deleted: true }>()(z.object({ id }).strict()),
  /**
   * A batch review: one comparison per prompt (1–1000 non-empty lines) generated in a `compare.batch`
   * job with progress and cancel; answered at once. Each comparison of a blind batch draws its own sides.
   */
  /**
   * Adds the chosen answer to an instruction dataset (source `comparison`, linked back by
   * `sourceRef.comparisonId`): `answer` `ideal` (the edited answer), `a` or `b`; by default the ideal
   * answer, else the voted winner. The losing answer goes into `rejected`. Adding the same comparison
   * to the same dataset again updates its example. CONFLICT (`no-chosen-answer`) without a vote or ideal answer.
   */
  'compare.toDataset': method<DatasetExample>()(
    z.object({ id, datasetId: id, answer: z.enum(['ideal', ...compareSides]).optional() }).strict(),
  ),
  /**
   * A batch review: one comparison per prompt, either pasted (`prompts`, 1–1000, blank lines skipped)
   * or the eval split of `datasetId` (each example up to its last user turn), generated in a
   * `compare.batch` job with progress and cancel; answered at once. Each comparison of a blind batch
   * draws its own sides. `systemPrompt` replaces the examples' own.
   */
  'compare.batch.start': method<CompareBatch>()(
    z
      .object({
        name: z.string().max(200).optional(),
        prompts: z.array(z.string().max(100_000)).min(1).max(1000).optional(),
        datasetId: id.optional(),
        systemPrompt: systemPrompt.optional(),
        contenders: z.tuple([contenderSchema, contenderSchema]),
        blind: z.boolean().default(true),
      })
      .strict()
      .refine((v) => (v.prompts === undefined) !== (v.datasetId === undefined), 'give either prompts or datasetId'),
  ),
  'compare.batch.list': method<CompareBatch[]>()(empty),
  'compare.batch.get': method<CompareBatch>()(z.object({ id }).strict()),
  /** Cancels a generating batch; what was generated stays votable. CONFLICT when it is not generating. */
  'compare.batch.cancel': method<CompareBatch>()(z.object({ id }).strict()),
  /** Deletes a batch and its comparisons (cancelling its generation first). */
  'compare.batch.delete': method<{ deleted: true }>()(z.object({ id }).strict()),
  /**
   * Win rate of each pair of contenders that met (95 % Wilson interval over decisive votes; ties and
   * both-bad apart) and a Bradley-Terry leaderboard on the Elo scale, over votes in [since, until]
   * (ms since the epoch) and optionally only those of prompts from `datasetId` or of `batchId`.
   */
  'compare.results': method<CompareResults>()(resultsFilter),
  /**
   * "Regenerate, then pick the better" in chat: `chosenMessageId` is better than its sibling answer
   * `rejectedMessageId`. Lands in the same preference pairs as Compare votes and thumbs.
   */
  'chat.preferAlternative': method<ChatPreference>()(
    z
      .object({
        chosenMessageId: id,
        rejectedMessageId: id,
        reason: z.string().max(5000).nullable().optional(),
      })
      .strict(),
  ),
  /**
   * Preference pairs from every source (Compare votes, chat picks, thumbs up over thumbs down on
   * sibling answers): the count per source and the newest `limit` (default 20) pairs.
   */
  'feedback.pairs': method<PreferenceSummary>()(
    resultsFilter.extend({
      sources: z.array(z.enum(preferenceSources)).min(1).max(preferenceSources.length).optional(),
      limit: z.number().int().min(0).max(1000).optional(),
    }),
  ),
  /**
   * Writes the preference pairs as DPO JSONL to `path` on the machine running Lathe: `trl`
   * (prompt/chosen/rejected strings), `trl-conversational` (message lists) or `llama-factory`
   * (ShareGPT with `chosen`/`rejected` turns). CONFLICT if the file exists without `overwrite`.
   */
  /**
   * Adds the preference pairs (filtered as `feedback.pairs` filters them) to the dataset
   * `targetDatasetId` as examples with a rejected answer — what a DPO fine-tune learns from — in one
   * transaction. A pair that dataset already holds is skipped. INVALID_INPUT when no pair matches.
   */
  'feedback.toDataset': method<{ added: number; skipped: number; datasetId: string }>()(
    resultsFilter.extend({
      targetDatasetId: id,
      sources: z.array(z.enum(preferenceSources)).min(1).max(preferenceSources.length).optional(),
    }),
  ),
  'feedback.export': method<{ path: string; count: number; bySource: Record<string, number> }>()(
    resultsFilter.extend({
      path: absolutePath,
      format: z.enum(preferenceFormats),
      overwrite: z.boolean().optional(),
      sources: z.array(z.enum(preferenceSources)).min(1).max(preferenceSources.length).optional(),
    }),
  ),

  // ─── Local OpenAI-compatible API ──────────────────────────────────────────
  /** Whether the local API runs, where, and its key. */
  'api.status': method<ApiServerStatus>()(empty),
  /** Switches the local API on or off, moves it to another port, or draws a new key; kept across restarts. */
  'api.configure': method<ApiServerStatus>()(apiConfigureSchema),

  /** Every dataset with its counts (per split, per source, trash, flagged) and token stats. */
  'datasets.list': method<DatasetInfo[]>()(empty),
  'datasets.get': method<DatasetInfo>()(z.object({ id }).strict()),
  /** Names are unique, ignoring case (CONFLICT otherwise). */
  'datasets.create': method<DatasetInfo>()(
    z
      .object({
        name: datasetNameSchema,
        description: z.string().max(10_000).optional(),
        tags: tagsSchema.optional(),
        /** Token budget examples should fit, e.g. the training max length. */
        defaultMaxLength: z.number().int().min(1).max(1_048_576).nullable().optional(),
      })
      .strict(),
  ),
  'datasets.update': method<DatasetInfo>()(
    z
      .object({
        id,
        name: datasetNameSchema.optional(),
        description: z.string().max(10_000).optional(),
        tags: tagsSchema.optional(),
        defaultMaxLength: z.number().int().min(1).max(1_048_576).nullable().optional(),
      })
      .strict(),
  ),
  /** Deletes the dataset and all its examples for good (the UI confirms first). */
  'datasets.delete': method<{ deleted: boolean }>()(z.object({ id }).strict()),
  /**
   * One page of example summaries (for a virtualized list) and the total that match. `trash: true`
   * lists the trash instead. Sorted by `sort` (default `created`, i.e. insertion order), then by
   * insertion order.
   */
  'datasets.examples.list': method<{ total: number; offset: number; items: ExampleSummary[] }>()(
    z
      .object({
        datasetId: id,
        filter: exampleFilterSchema.optional(),
        sort: z.enum(exampleSorts).optional(),
        order: z.enum(['asc', 'desc']).optional(),
        offset: z.number().int().min(0).optional(),
        /** Default 100. */
        limit: z.number().int().min(1).max(1000).optional(),
        trash: z.boolean().optional(),
      })
      .strict(),
  ),
  /** Every id that matches the filter, in insertion order (to select all for a bulk action). */
  'datasets.examples.ids': method<{ ids: string[] }>()(
    z.object({ datasetId: id, filter: exampleFilterSchema.optional(), trash: z.boolean().optional() }).strict(),
  ),
  'datasets.examples.get': method<DatasetExample>()(z.object({ id }).strict()),
  /** A manual example (source `manual`). */
  'datasets.examples.create': method<DatasetExample>()(
    z
      .object({
        datasetId: id,
        messages: exampleMessagesSchema,
        rejected: z.string().max(2_000_000).nullable().optional(),
        tags: tagsSchema.optional(),
        split: z.enum(exampleSplits).optional(),
        note: z.string().max(10_000).optional(),
      })
      .strict(),
  ),
  /** Edits an example; the previous version is kept for `datasets.examples.undo` (newest 20). */
  'datasets.examples.update': method<DatasetExample>()(
    z
      .object({
        id,
        messages: exampleMessagesSchema.optional(),
        rejected: z.string().max(2_000_000).nullable().optional(),
        tags: tagsSchema.optional(),
        split: z.enum(exampleSplits).optional(),
        note: z.string().max(10_000).optional(),
      })
      .strict(),
  ),
  /** Restores the example's previous version (any change: edit, tags, split, move, delete, fix). */
  'datasets.examples.undo': method<DatasetExample>()(z.object({ id }).strict()),
  /** One change to many examples in one transaction; each change can be undone per example. */
  'datasets.examples.bulk': method<{ changed: number }>()(
    z.object({ ids: z.array(id).min(1).max(500_000), action: bulkActionSchema }).strict(),
  ),
  /** Brings examples back from the trash. */
  'datasets.trash.restore': method<{ restored: number }>()(z.object({ ids: z.array(id).min(1).max(500_000) }).strict()),
  /** Deletes trashed examples for good: all of the dataset's, or only `ids`. */
  'datasets.trash.empty': method<{ removed: number }>()(
    z.object({ datasetId: id, ids: z.array(id).min(1).max(500_000).optional() }).strict(),
  ),
  /** Reads the start of a file: detected format, a preview of parsed examples, CSV columns. */
  'datasets.sniff': method<SniffResult>()(z.object({ path: absolutePath }).strict()),
  /**
   * Imports a file as a job (result: ImportResult) into `datasetId` or a new dataset `name`. One
   * transaction in effect: nothing is visible until the end; `onErrors: 'abort'` imports nothing when
   * any line is bad (the job fails with INVALID_INPUT and the per-line errors), `'skip'` imports the
   * valid lines and reports the bad ones (first 100, and the total).
   */
  'datasets.import': method<Job>()(
    z
      .object({
        path: absolutePath,
        datasetId: id.optional(),
        name: datasetNameSchema.optional(),
        format: z.enum(datasetFormats),
        csvMapping: csvMappingSchema.optional(),
        onErrors: z.enum(importErrorPolicies),
        split: z.enum(exampleSplits).optional(),
        tags: tagsSchema.optional(),
      })
      .strict()
      .refine((v) => (v.datasetId === undefined) !== (v.name === undefined), {
        message: 'give either datasetId or name',
      })
      .refine((v) => v.format !== 'csv' || v.csvMapping !== undefined, {
        message: 'csv needs csvMapping',
        path: ['csvMapping'],
      }),
  ),
  /**
   * Exports as a job (result: ExportResult) to `path` (a file; with `splits: 'separate'`,
   * `<name>.train.<ext>` and `<name>.eval.<ext>` beside it). `openai` is the format Lathe's trainer
   * reads.
   */
  'datasets.export': method<Job>()(
    z
      .object({
        datasetId: id,
        format: z.enum(datasetFormats),
        path: absolutePath,
        splits: z.enum(['together', 'separate']),
        includeTrash: z.boolean().optional(),
        csvMapping: csvMappingSchema.optional(),
        /** `openai` only: exactly what Lathe's trainer reads (messages and split, no tool turns). */
        forTrainer: z.boolean().optional(),
      })
      .strict()
      .refine((v) => !v.forTrainer || v.format === 'openai', {
        message: "Lathe's trainer format is openai",
        path: ['forTrainer'],
      }),
  ),
  /** Counts tokens of every example with the model's tokenizer and chat template, as a job; cached. */
  'datasets.tokenize': method<Job>()(z.object({ datasetId: id, modelId: id }).strict()),
  /** Token-length histogram of the cached counts, and how many exceed `maxLength` (default: the dataset's). */
  'datasets.stats': method<TokenStats>()(
    z
      .object({
        datasetId: id,
        modelId: id.optional(),
        maxLength: z.number().int().min(1).max(1_048_576).optional(),
        bins: z.number().int().min(1).max(200).optional(),
      })
      .strict(),
  ),
  /** Runs the hygiene checks as a job (result: HygieneReport, also stored for `datasets.report`). */
  'datasets.hygiene': method<Job>()(
    z
      .object({
        datasetId: id,
        /** Jaccard similarity (0.5..1, default 0.85) above which two examples are near-duplicates. */
        nearDuplicateThreshold: z.number().min(0.5).max(1).optional(),
        /** Over-length limit in tokens (default: the dataset's max length; needs token counts). */
        maxTokens: z.number().int().min(1).max(1_048_576).optional(),
      })
      .strict(),
  ),
  /** The last hygiene report of a dataset, or null. */
  'datasets.report': method<HygieneReport | null>()(z.object({ datasetId: id }).strict()),
  /**
   * Applies the one-click fix for one kind of finding (all groups, or those with `exampleIds`):
   * duplicates but one, empty answers, over-length and sensitive examples go to the trash; leaked
   * eval examples move to train. Undoable per example, or by restoring from the trash.
   */
  'datasets.fix': method<{ changed: number }>()(
    z
      .object({ datasetId: id, kind: z.enum(hygieneKinds), exampleIds: z.array(id).min(1).max(500_000).optional() })
      .strict(),
  ),
} as const;

/** Every push event, named `domain.noun`, with its payload schema. */
export const events = {
  /** Throttled progress of a running job (at most a few per second per job). */
  'jobs.progress': jobSchema,
  /** A job was created or changed state; never throttled. */
  'jobs.updated': jobSchema,
  /** Per-step progress of the running fine-tune (loss, learning rate, speed, ETA, memory). */
  'training.progress': trainingProgressSchema,
  /** A run's device report (`TrainingRun.device`) changed: planned, or measured after the first step. */
  'training.device': z.object({ runId: z.string() }),
  /** Settings changed (from any window or client). */
  'settings.changed': z.object({ theme: z.enum(themes), modelsDir: z.string() }),
  /** A model was added, renamed or removed, or found missing. */
  'models.changed': z.object({ modelId: z.string(), change: z.enum(['added', 'updated', 'removed']) }),
  /** The inference engine loaded, unloaded or started/finished generating. */
  'inference.status': inferenceStatusSchema,
  /**
   * Text of an answer being written, in order; deltas of one event-loop tick are merged into one
   * event. Concatenated, those without `thought` equal the final `content` of the `chat.message`
   * that follows, and those with it its `reasoning` (give or take the whitespace around it).
   */
  'chat.token': z.object({
    conversationId: z.string(),
    messageId: z.string(),
    delta: z.string(),
    /** True: the delta belongs to the answer's thought (reasoning models), not the answer. */
    thought: z.boolean().optional(),
  }),
  /** A message was stored or finished (the end of every answer: done, stopped or failed). */
  'chat.message': storedMessageSchema,
  /** A conversation's settings, title or active branch changed. */
  'chat.conversation': conversationSchema,
  /** A dataset or its examples changed (any write); `datasetId` null when many changed. */
  'datasets.changed': z.object({
    datasetId: z.string().nullable(),
    change: z.enum(['created', 'updated', 'deleted', 'examples']),
  }),
  /** Text of one side of a comparison, in order; concatenated, equal to that side's final content. */
  'compare.token': z.object({ comparisonId: z.string(), side: z.enum(compareSides), delta: z.string() }),
  /** A comparison changed: a side started, finished, failed or was stopped, or a vote was recorded. */
  'compare.updated': comparisonSchema,
  /** A batch review progressed or finished. */
  'compare.batch': compareBatchSchema,
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type MethodInput<M extends MethodName> = z.input<Methods[M]['input']>;
export type ParsedInput<M extends MethodName> = z.output<Methods[M]['input']>;
export type MethodOutput<M extends MethodName> = Methods[M]['output'];

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export const methodNames = Object.keys(methods) as MethodName[];
export const eventNames = Object.keys(events) as EventName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(methods, name);
}
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(events, name);
}

/** What every call answers, over every transport. */
export type Envelope<T> = { ok: true; data: T } | { ok: false; error: AppErrorData };

/** What a native open or save dialog is asked to show. */
export const pickPathOptionsSchema = z
  .object({
    mode: z.enum(['open', 'save']),
    title: z.string().max(200).optional(),
    /** File type filters, e.g. `{ name: 'GGUF models', extensions: ['gguf'] }`. */
    filters: z
      .array(
        z
          .object({
            name: z.string().min(1).max(100),
            extensions: z
              .array(z.string().regex(/^(\*|[A-Za-z0-9]{1,16})$/))
              .min(1)
              .max(20),
          })
          .strict(),
      )
      .max(10)
      .optional(),
    /** The file name a save dialog proposes. */
    defaultName: z.string().min(1).max(255).optional(),
  })
  .strict();
export type PickPathOptions = z.infer<typeof pickPathOptionsSchema>;

/**
 * Desktop-only file access, which no contract method can offer: the native dialogs and the path
 * of a file dropped on the window. Absent in browser mode, where paths are typed.
 */
export interface DesktopFiles {
  /** The chosen path, or null when the person cancelled. */
  pickPath(options: PickPathOptions): Promise<string | null>;
  /** The path on disk of a `File` from a drop or an `<input type=file>`; null for anything else. */
  pathForFile(file: unknown): string | null;
}

/** The client side of the contract, implemented by the IPC bridge and the WebSocket client. */
export interface LatheApi {
  invoke<M extends MethodName>(method: M, input: MethodInput<M>): Promise<Envelope<MethodOutput<M>>>;
  /** Subscribes to a push event; returns the unsubscribe function. */
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  /** Present in the desktop app only. */
  readonly files?: DesktopFiles;
}

/** Channel names used by the Electron IPC transport. */
export const ipcChannels = { invoke: 'lathe:invoke', event: 'lathe:event', pickPath: 'lathe:pickPath' } as const;

/**
 * Browser-mode wire protocol (WebSocket at `/ws`):
 * client → server `{ id, method, input }`; server → client `{ id, result: Envelope }`
 * and pushes `{ event, payload }`.
 */
export type WsRequest = { id: number; method: string; input: unknown };
export type WsResponse = { id: number; result: Envelope<unknown> };
export type WsPush = { event: EventName; payload: unknown };
