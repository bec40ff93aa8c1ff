import { mkdirSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { settingsSchema, type Settings } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import type { SettingsRepo } from '../db/repos/SettingsRepo';
import type { EventBus } from '../EventBus';

/** What `settings.update` takes: the visible settings, and the token, which is write-only. */
export type SettingsPatch = Partial<Omit<Settings, 'huggingFaceTokenSet'>> & { huggingFaceToken?: string | null };

const tokenKey = 'huggingFaceToken';

/**
 * Application settings with defaults; every change is validated, persisted and broadcast.
 * The Hugging Face token is stored beside them but only ever reported as set or not.
 */
export class SettingsService {
  readonly #defaults: Settings;

  constructor(
    private readonly repo: SettingsRepo,
    private readonly events: EventBus,
    dataDir: string,
  ) {
    this.#defaults = { theme: 'system', modelsDir: join(dataDir, 'models'), huggingFaceTokenSet: false };
  }

  get(): Settings {
    const { [tokenKey]: token, ...stored } = this.repo.all();
    const merged = { ...this.#defaults, ...stored, huggingFaceTokenSet: typeof token === 'string' };
    const parsed = settingsSchema.safeParse(merged);
    // A value written by a different version that no longer validates falls back to the default.
    return parsed.success ? parsed.data : { ...this.#defaults, huggingFaceTokenSet: typeof token === 'string' };
  }

  /** The stored Hugging Face token, for the downloader only; null when none. */
  huggingFaceToken(): string | null {
    const token = this.repo.all()[tokenKey];
    return typeof token === 'string' ? token : null;
  }

  /** Ensures the models folder exists (the default one is created on first use). */
  modelsDir(): string {
    const dir = this.get().modelsDir;
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  update(patch: SettingsPatch): Settings {
    if (patch.modelsDir !== undefined) checkFolder(patch.modelsDir);
    const now = Date.now();
    for (const [key, value] of Object.entries(patch)) {
      if (key === tokenKey && value === null) this.repo.delete(tokenKey);
      else if (value !== undefined) this.repo.set(key, value, now);
    }
    const settings = this.get();
    this.events.emit('settings.changed', settings);
    return settings;
  }
}

function checkFolder(path: string): void {
  if (!isAbsolute(path))
    throw new AppError('INVALID_INPUT', `The models folder must be an absolute path; got "${path}".`, {
      field: 'modelsDir',
    });
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new AppError('NOT_FOUND', `The folder ${path} does not exist.`, { field: 'modelsDir', path });
  }
  if (!isDir) throw new AppError('INVALID_INPUT', `${path} is a file, not a folder.`, { field: 'modelsDir', path });
}
