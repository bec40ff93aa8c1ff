import { z } from 'zod';

/**
 * The local OpenAI-compatible API (`/v1/models`, `/v1/chat/completions`): other programs (editors,
 * scripts, chat front-ends) talk to the library's models and fine-tunes through it, on this machine.
 */
export interface ApiServerStatus {
  /** Switched on in Settings (kept across restarts). */
  enabled: boolean;
  /** Listening now. */
  running: boolean;
  host: string;
  port: number;
  /** What OpenAI clients take as their base URL (`http://127.0.0.1:<port>/v1`); null while stopped. */
  baseUrl: string | null;
  /** The key clients send as `Authorization: Bearer <key>`. */
  key: string;
  /** Why it is not running although enabled (e.g. the port is taken). */
  error: string | null;
  /** Chat completions answered since it started. */
  completions: number;
}

/** Default port of the local API (LM Studio's is 1234, Ollama's 11434). */
export const defaultApiPort = 4891;

export const apiConfigureSchema = z
  .object({
    enabled: z.boolean().optional(),
    port: z.number().int().min(1024).max(65535).optional(),
    /** Draw a new key (clients holding the old one are refused from then on). */
    newKey: z.literal(true).optional(),
  })
  .strict();
export type ApiConfigure = z.infer<typeof apiConfigureSchema>;
