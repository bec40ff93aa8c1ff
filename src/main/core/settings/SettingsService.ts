import { mkdirSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { settingsSchema, type Settings } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import type { SettingsRepo } from '../db/repos/SettingsRepo';
import type { EventBus } from '../EventBus';

/** Application settings with defaults; every change is validated, persisted and broadcast. */
export class SettingsService {
  readonly #defaults: Settings;

  constructor(
    private readonly repo: SettingsRepo,
    private readonly events: EventBus,
    dataDir: string,
  ) {
    this.#defaults = { theme: 'system', modelsDir: join(dataDir, 'models') };
  }

  get(): Settings {
    const merged = { ...this.#defaults, ...this.repo.all() };
    const parsed = settingsSchema.safeParse(merged);
    // A value written by a different version that no longer validates falls back to the default.
    return parsed.success ? parsed.data : this.#defaults;
  }

  /** Ensures the models folder exists (the default one is created on first use). */
  modelsDir(): string {
    const dir = this.get().modelsDir;
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  update(patch: Partial<Settings>): Settings {
    if (patch.modelsDir !== undefined) checkFolder(patch.modelsDir);
    const now = Date.now();
    for (const [key, value] of Object.entries(patch)) {
      if (value !== undefined) this.repo.set(key, value, now);
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
