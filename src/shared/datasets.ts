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
