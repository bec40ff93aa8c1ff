import { z } from 'zod';

/**
 * The shared vocabulary of instruction datasets: what an example is, where it came from, which
 * split it belongs to, and the file formats Lathe reads and writes. Importers (core/datasets/formats),
 * the hygiene checks (core/datasets/hygiene), the service and the renderer all speak these types.
 */

/** Roles an example's turns may have. `tool` turns are kept on import and rendered as such. */
export const exampleRoles = ['system', 'user', 'assistant', 'tool'] as const;
export type ExampleRole = (typeof exampleRoles)[number];

export const exampleMessageSchema = z
  .object({
    role: z.enum(exampleRoles),
    content: z.string().max(2_000_000),
    /** A tool's or speaker's name when the source had one (ShareGPT `from: "function_call"` etc.). */
    name: z.string().max(200).optional(),
  })
  .strict();
/** One turn of an example: optional system first, then user/assistant (and tool) turns. */
export type ExampleMessage = z.infer<typeof exampleMessageSchema>;

/** Where an example came from. */
export const exampleSources = ['manual', 'chat', 'import', 'comparison'] as const;
export type ExampleSource = (typeof exampleSources)[number];

/** `auto` examples are assigned to train or eval by the trainer's own split. */
export const exampleSplits = ['train', 'eval', 'auto'] as const;
export type ExampleSplit = (typeof exampleSplits)[number];

/**
 * File formats, in and out:
 * - `openai`: `{"messages": [{"role", "content"}...]}` per line (also Lathe's trainer format).
 * - `sharegpt`: `{"conversations": [{"from": "human"|"gpt"|"system"|"function_call"|"observation", "value"}...]}`.
 * - `alpaca`: `{"instruction", "input"?, "output", "system"?, "history"?: [[user, assistant]...]}`.
 * - `preference`: `{"prompt"?, "chosen", "rejected"}` with strings or message lists (TRL / LLaMA-Factory DPO).
 * - `csv`: a header row and a column mapping (system?, user, assistant).
 */
export const datasetFormats = ['openai', 'sharegpt', 'alpaca', 'preference', 'csv'] as const;
export type DatasetFormat = (typeof datasetFormats)[number];

/** Which CSV columns hold which part of a single-turn example. Column names as in the header row. */
export const csvMappingSchema = z
  .object({
    system: z.string().min(1).max(200).optional(),
    user: z.string().min(1).max(200),
    assistant: z.string().min(1).max(200),
  })
  .strict();
export type CsvMapping = z.infer<typeof csvMappingSchema>;

/**
 * What an importer yields for each valid record, before it is stored. For preference pairs,
 * `messages` ends with the chosen answer and `rejected` holds the rejected answer's text.
 */
export interface ParsedExample {
  messages: ExampleMessage[];
  rejected?: string;
  split?: 'train' | 'eval';
  tags?: string[];
  note?: string;
}

/** Most turns one example may have. */
export const maxExampleTurns = 1000;

/**
 * An example's turns as stored: at least one, a system turn only first, and at least one turn that
 * is not a system turn.
 */
export const exampleMessagesSchema = z
  .array(exampleMessageSchema)
  .min(1)
  .max(maxExampleTurns)
  .superRefine((messages, ctx) => {
    messages.forEach((m, i) => {
      if (m.role === 'system' && i > 0)
        ctx.addIssue({ code: 'custom', path: [i, 'role'], message: 'a system turn may only come first' });
    });
    if (messages.every((m) => m.role === 'system'))
      ctx.addIssue({ code: 'custom', message: 'needs at least one user or assistant turn' });
  });

/** A tag on an example or dataset: trimmed, 1..64 characters. */
export const tagSchema = z.string().trim().min(1).max(64);
export const tagsSchema = z.array(tagSchema).max(100);

/**
 * Where an example came from: `{conversationId, messageId}` (chat), `{comparisonId}` (compare),
 * `{file, line}` (import). Every field is optional so older links keep parsing.
 */
export const exampleSourceRefSchema = z
  .object({
    conversationId: z.string().nullable().optional(),
    messageId: z.string().nullable().optional(),
    /** A preference pair added with `feedback.toDataset` (its `PreferencePair.id`): added once per dataset. */
    preferencePairId: z.string().optional(),
    /** Chat: the answer was edited before it was kept. */
    edited: z.boolean().optional(),
    comparisonId: z.string().optional(),
    file: z.string().optional(),
    /** 1-based line (JSONL/CSV) or record number (JSON array) in `file`. */
    line: z.number().int().optional(),
  })
  .strict();
export type ExampleSourceRef = z.infer<typeof exampleSourceRefSchema>;

/** A stored example. Lengths: `charCount` sums the turns' characters; `tokenCount` is for `tokenModel`. */
export interface DatasetExample {
  id: string;
  datasetId: string;
  messages: ExampleMessage[];
  rejected: string | null;
  source: ExampleSource;
  sourceRef: ExampleSourceRef | null;
  tags: string[];
  split: ExampleSplit;
  note: string;
  charCount: number;
  turnCount: number;
  tokenCount: number | null;
  /** The model id the cached `tokenCount` was counted with. */
  tokenModel: string | null;
  /** When it went to the trash (ms since epoch); null when live. */
  deletedAt: number | null;
  createdAt: number;
  updatedAt: number;
  /** How many earlier versions `datasets.examples.undo` can go back to (0..20). */
  undoDepth: number;
  /** Hygiene issue kinds the last report flagged on this example. */
  issues: string[];
}

/** One row of the example list: enough to draw it without the whole example. */
export interface ExampleSummary {
  id: string;
  /** The first user turn, at most 200 characters. */
  prompt: string;
  /** The last assistant turn after the thought it may open with, at most 200 characters. */
  answer: string;
  /** The last assistant turn opens with a thought (`<think>…</think>`): the example teaches thinking. */
  thinks: boolean;
  source: ExampleSource;
  split: ExampleSplit;
  tags: string[];
  charCount: number;
  turnCount: number;
  tokenCount: number | null;
  hasRejected: boolean;
  issues: string[];
  deletedAt: number | null;
  updatedAt: number;
}

/** A dataset with its counts (live examples only, trash counted apart). */
export interface DatasetInfo {
  id: string;
  name: string;
  description: string;
  tags: string[];
  /** Token budget an example should fit (training max length); null = not set. */
  defaultMaxLength: number | null;
  createdAt: number;
  updatedAt: number;
  counts: {
    total: number;
    trash: number;
    split: Record<ExampleSplit, number>;
    source: Record<ExampleSource, number>;
    /** Examples the last hygiene report flagged. */
    withIssues: number;
    /** Live examples with a rejected answer: the preference pairs a DPO run trains on. */
    pairs: number;
  };
  tokens: {
    /** Model the most counts were made with; null when none are counted. */
    model: string | null;
    /** Live examples with a count for that model. */
    counted: number;
    total: number;
    max: number | null;
    mean: number | null;
  };
}

export const datasetNameSchema = z.string().trim().min(1).max(200);

/** Filters of the example list; every given filter must match. */
export const exampleFilterSchema = z
  .object({
    /** Full-text search: each word as a prefix ("tok" finds "tokenizer"), all words must match. */
    search: z.string().max(500).optional(),
    /** Examples with any of these tags. */
    tags: z.array(tagSchema).max(50).optional(),
    sources: z.array(z.enum(exampleSources)).max(exampleSources.length).optional(),
    splits: z.array(z.enum(exampleSplits)).max(exampleSplits.length).optional(),
    minChars: z.number().int().min(0).optional(),
    maxChars: z.number().int().min(0).optional(),
    /** Token filters match only examples with a cached count. */
    minTokens: z.number().int().min(0).optional(),
    maxTokens: z.number().int().min(0).optional(),
    /** true: flagged by the last hygiene report; false: not flagged. */
    hasIssues: z.boolean().optional(),
    /** Only examples flagged with this issue kind. */
    issueKind: z.string().max(50).optional(),
  })
  .strict();
export type ExampleFilter = z.infer<typeof exampleFilterSchema>;

export const exampleSorts = ['created', 'updated', 'chars', 'tokens'] as const;
export type ExampleSort = (typeof exampleSorts)[number];

/** A change to many examples at once, in one transaction. */
export const bulkActionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('addTags'), tags: tagsSchema.min(1) }).strict(),
  z.object({ kind: z.literal('removeTags'), tags: tagsSchema.min(1) }).strict(),
  z.object({ kind: z.literal('setSplit'), split: z.enum(exampleSplits) }).strict(),
  z.object({ kind: z.literal('move'), datasetId: z.string().min(1).max(200) }).strict(),
  /** To the trash (restorable until it is emptied). */
  z.object({ kind: z.literal('delete') }).strict(),
]);
export type BulkAction = z.infer<typeof bulkActionSchema>;

/** What to do when some lines of an import are bad. */
export const importErrorPolicies = ['skip', 'abort'] as const;
export type ImportErrorPolicy = (typeof importErrorPolicies)[number];

/** One bad line of an import. */
export interface ImportLineError {
  /** 1-based line (or record number in a JSON array). */
  line: number;
  reason: string;
}

/** The result of a `datasets.import` job. */
export interface ImportResult {
  datasetId: string;
  imported: number;
  /** Bad lines, all of them counted. */
  errorCount: number;
  /** The first 100 bad lines. */
  errors: ImportLineError[];
  bytes: number;
  seconds: number;
  /** How long the final transaction that made the rows visible took, ms (the one step that is not sliced). */
  publishMs: number;
}

/** The result of a `datasets.export` job. */
export interface ExportResult {
  files: { path: string; split: 'train' | 'eval' | 'all'; written: number; skipped: number }[];
}

/** What `datasets.sniff` found in a file, for the user to confirm before importing. */
export interface SniffResult {
  /** The detected format, or null when no sampled record looks like a known one (`reason` says why). */
  format: DatasetFormat | null;
  container: 'jsonl' | 'json' | 'csv';
  /** Share of the sample that looks like `format` (0..1); 1 for CSV. */
  confidence: number;
  /** True when the sample mixes records of several formats. */
  mixed: boolean;
  /** Why this format, in a sentence for the confirmation dialog. */
  reason: string;
  /** Raw sampled records: JSON values, or CSV rows as `{column: cell}`. */
  sample: unknown[];
  /** The first sampled records parsed as `format` (at most 5), to preview. */
  preview: ParsedExample[];
  /** Problems in the sampled records when read as `format` (line numbers are the file's). */
  sampleErrors: { line: number; reason: string }[];
  /** CSV only: the header's columns, the delimiter and a guessed mapping (null when unsure). */
  csvColumns?: string[];
  csvDelimiter?: ',' | ';' | '\t';
  csvMapping?: CsvMapping | null;
  totalBytes: number;
  hasBom: boolean;
  lineEnding: 'lf' | 'crlf' | 'none';
}

/** Hygiene check kinds, in report order. */
export const hygieneKinds = [
  'exact_duplicate',
  'near_duplicate',
  'empty_answer',
  'over_length',
  'leakage',
  'sensitive',
] as const;
export type HygieneKind = (typeof hygieneKinds)[number];

/** One finding: the examples involved, which one to keep (duplicates) and what the fix would do. */
export interface HygieneGroup {
  kind: HygieneKind;
  exampleIds: string[];
  /** For duplicates and leakage: the example the fix keeps untouched. */
  keepId?: string;
  /** Human explanation ("92% similar", "4,210 tokens, over 4,096"). */
  detail: string;
  /**
   * The suggested fix: trash all but `keepId`, trash the examples, move the eval ones to train, or
   * `review` (likely secrets and personal data: `datasets.fix` trashes them only when given their ids).
   */
  fix: 'delete_duplicates' | 'delete' | 'move_to_train' | 'review';
  /** Duplicates and leakage: estimated Jaccard similarity (0..1). */
  similarity?: number;
  /** Over-length: the token count, and whether it was estimated from characters. */
  tokens?: number;
  estimated?: boolean;
  /** Sensitive: each match, masked, e.g. `key: sk-p••••7Q`. */
  sensitive?: { kind: string; label: string; turn: number; excerpt: string }[];
}

/** The last hygiene report of a dataset (`datasets.hygiene` job result and `datasets.report`). */
export interface HygieneReport {
  datasetId: string;
  createdAt: number;
  nearDuplicateThreshold: number;
  maxTokens: number | null;
  examined: number;
  counts: Record<HygieneKind, number>;
  groups: HygieneGroup[];
  seconds: number;
}

/** One-click fixes: what `datasets.fix` does for each kind. */
export const hygieneFixes: Record<HygieneKind, string> = {
  exact_duplicate: 'Move every copy but one to the trash',
  near_duplicate: 'Move every near-copy but one to the trash',
  empty_answer: 'Move examples with empty answers to the trash',
  over_length: 'Move examples over the max length to the trash',
  leakage: 'Move the eval examples that leak into train to the train split',
  sensitive: 'Move flagged examples to the trash (review them first)',
};

/** Token-length histogram of a dataset for one model. */
export interface TokenStats {
  modelId: string | null;
  maxLength: number | null;
  counted: number;
  uncounted: number;
  overMax: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  bins: { from: number; to: number; count: number }[];
}
