import { z } from 'zod';
import { adapterRefSchema, chatMessageSchema, generationStatsSchema, samplingSchema } from './domain';
import { appErrorDataSchema } from './errors';

/**
 * The vocabulary of side-by-side comparisons (the Compare page), batch reviews, results and the
 * preference data they (and chat feedback) produce.
 */

/** What a contender is: a model variant (base, or base + adapters) with its sampling settings. */
export const contenderSchema = z
  .object({
    modelId: z.string().min(1).max(200),
    adapters: z.array(adapterRefSchema).max(8).default([]),
    sampling: samplingSchema,
  })
  .strict();
export type ContenderInput = z.input<typeof contenderSchema>;
export type Contender = z.output<typeof contenderSchema>;

/** A contender as stored: its configuration and the names it had when the comparison was made. */
export const storedContenderSchema = z.object({
  modelId: z.string(),
  adapters: z.array(z.object({ adapterId: z.string(), scale: z.number() })),
  sampling: samplingSchema,
  /** "Model", "Model + Adapter ×0.5", with `@ T` when the temperature is not the preset's. */
  label: z.string(),
  /**
   * Identity on the leaderboard: model, adapters with scales, and temperature. Two contenders with
   * the same key are the same player.
   */
  key: z.string(),
});
export type StoredContender = z.infer<typeof storedContenderSchema>;

/** The two sides, as shown: `a` is left, `b` is right. */
export const compareSides = ['a', 'b'] as const;
export type CompareSide = (typeof compareSides)[number];

/** `a`/`b`: that side's answer is better; `tie`: both equally good; `both_bad`: neither is acceptable. */
export const compareVotes = ['a', 'b', 'tie', 'both_bad'] as const;
export type CompareVote = (typeof compareVotes)[number];

/** `pending`: not started (queued in a batch, or waiting for the other side); then as chat answers. */
export const answerStatuses = ['pending', 'streaming', 'done', 'stopped', 'failed'] as const;
export type AnswerStatus = (typeof answerStatuses)[number];

/**
 * How the two answers are generated: `parallel` on two sequences of one loaded base model,
 * `sequential` one after the other (different base models, or no free sequence).
 */
export const compareModes = ['parallel', 'sequential'] as const;
export type CompareMode = (typeof compareModes)[number];

export const compareAnswerSchema = z.object({
  content: z.string(),
  status: z.enum(answerStatuses),
  error: appErrorDataSchema.nullable(),
  /** Hidden (null) in blind mode until the vote: speed can give a contender away. */
  stats: generationStatsSchema.nullable(),
  /** Hidden (null) in blind mode until the vote. */
  contender: storedContenderSchema.nullable(),
});
export type CompareAnswer = z.infer<typeof compareAnswerSchema>;

/** One comparison as clients see it; in blind mode nothing tells which contender is on which side until the vote. */
export const comparisonSchema = z.object({
  id: z.string(),
  /** The batch review it belongs to, if any. */
  batchId: z.string().nullable(),
  /** Position in its batch, 0-based (0 for single comparisons). */
  position: z.number().int(),
  /** Context: optional system prompt first, last a user message. */
  messages: z.array(chatMessageSchema),
  blind: z.boolean(),
  mode: z.enum(compareModes),
  /** Why the answers were generated one after the other, e.g. "different base models". */
  modeReason: z.string().nullable(),
  a: compareAnswerSchema,
  b: compareAnswerSchema,
  vote: z.enum(compareVotes).nullable(),
  reason: z.string().nullable(),
  /** The answer as the user edited it into the ideal one. */
  idealAnswer: z.string().nullable(),
  /** The dataset its prompt came from (batch review of a dataset), if any. */
  sourceDatasetId: z.string().nullable(),
  /** Dataset examples made from this comparison (`compare.toDataset`). */
  datasetExampleIds: z.array(z.string()),
  createdAt: z.number(),
  votedAt: z.number().nullable(),
});
export type Comparison = z.infer<typeof comparisonSchema>;

export const batchStates = ['generating', 'ready', 'cancelled', 'failed'] as const;
export type BatchState = (typeof batchStates)[number];

/** A batch review: many prompts through the same two contenders, then voted one by one. */
export const compareBatchSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** The job generating the answers. */
  jobId: z.string().nullable(),
  blind: z.boolean(),
  /** Contenders as picked, first and second (not as sided: in blind mode each comparison draws its own sides). */
  contenders: z.array(storedContenderSchema),
  sourceDatasetId: z.string().nullable(),
  total: z.number().int(),
  generated: z.number().int(),
  voted: z.number().int(),
  state: z.enum(batchStates),
  createdAt: z.number(),
});
export type CompareBatch = z.infer<typeof compareBatchSchema>;

/** Win rate of one player over another with a 95 % Wilson interval over decisive votes. */
export const headToHeadSchema = z.object({
  a: z.string(),
  b: z.string(),
  aLabel: z.string(),
  bLabel: z.string(),
  aWins: z.number().int(),
  bWins: z.number().int(),
  ties: z.number().int(),
  bothBad: z.number().int(),
  /** aWins / (aWins + bWins); null without a decisive vote. */
  winRate: z.number().nullable(),
  /** 95 % Wilson interval of `winRate`. */
  low: z.number().nullable(),
  high: z.number().nullable(),
});
export type HeadToHead = z.infer<typeof headToHeadSchema>;

/** One player on the leaderboard (Bradley-Terry strength on the Elo scale: 1000 = average). */
export const leaderboardRowSchema = z.object({
  key: z.string(),
  label: z.string(),
  rating: z.number(),
  wins: z.number().int(),
  losses: z.number().int(),
  ties: z.number().int(),
  bothBad: z.number().int(),
  games: z.number().int(),
});
export type LeaderboardRow = z.infer<typeof leaderboardRowSchema>;

export interface CompareResults {
  leaderboard: LeaderboardRow[];
  pairs: HeadToHead[];
  /** Voted comparisons counted. */
  votes: number;
}

/**
 * Preference-pair export formats:
 * - `trl`: `{"prompt", "chosen", "rejected"}` strings (TRL standard preference), prompt rendered as
 *   plain text of the context.
 * - `trl-conversational`: the same keys with message lists (`prompt` = context turns,
 *   `chosen`/`rejected` = one assistant message each).
 * - `llama-factory`: ShareGPT style `{"conversations": [{"from", "value"}], "system"?, "chosen":
 *   {"from": "gpt", "value"}, "rejected": {...}}` (LLaMA-Factory's `ranking: true` datasets).
 */
export const preferenceFormats = ['trl', 'trl-conversational', 'llama-factory'] as const;
export type PreferenceFormat = (typeof preferenceFormats)[number];

/** Where a preference pair came from. */
export const preferenceSources = ['comparison', 'chat-pick', 'chat-rating'] as const;
export type PreferenceSource = (typeof preferenceSources)[number];

/** One preference pair, from any source. */
export const preferencePairSchema = z.object({
  /** `comparison:<id>[:a|:b]`, `chat-pick:<id>`, `chat-rating:<chosenId>:<rejectedId>`. */
  id: z.string(),
  source: z.enum(preferenceSources),
  /** Context turns: optional system first, last a user message. */
  prompt: z.array(chatMessageSchema),
  chosen: z.string(),
  rejected: z.string(),
  reason: z.string().nullable(),
  createdAt: z.number(),
});
export type PreferencePair = z.infer<typeof preferencePairSchema>;

/** "Regenerate, then pick the better": a preference between two sibling answers in chat. */
export const chatPreferenceSchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  chosenMessageId: z.string(),
  rejectedMessageId: z.string(),
  reason: z.string().nullable(),
  createdAt: z.number(),
});
export type ChatPreference = z.infer<typeof chatPreferenceSchema>;

/** Counts of preference pairs per source and the newest ones (`feedback.pairs`). */
export interface PreferenceSummary {
  total: number;
  bySource: Record<PreferenceSource, number>;
  /** The newest pairs, newest first. */
  pairs: PreferencePair[];
}
