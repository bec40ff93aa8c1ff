import { describe, expect, it } from 'vitest';
import { describeStartupError } from '../../../src/main/electron/startupError';
import { AppError } from '../../../src/shared/errors';

describe('describeStartupError', () => {
  it("shows the core's explanation of a damaged database", () => {
    const message = 'The database /d/lathe.db is damaged (x). It was left untouched; restore it from a backup.';
    expect(describeStartupError(new AppError('DB_CORRUPT', message), { isPackaged: true })).toEqual({
      title: 'Lathe cannot open its database',
      message,
    });
  });

  it('asks for a newer Lathe for a newer database', () => {
    const text = describeStartupError(new AppError('DB_NEWER_VERSION', 'Schema 9 > 2.'), { isPackaged: true });
    expect(text.title).toMatch(/newer Lathe/);
    expect(text.message).toContain('Schema 9 > 2.');
  });

  it('points a developer at rebuild:electron for an ABI mismatch', () => {
    const error = new AppError(
      'DB_ERROR',
      'Could not open the database: The module was compiled against a different Node.js version using NODE_MODULE_VERSION 115.',
    );
    expect(describeStartupError(error, { isPackaged: false }).message).toMatch(/npm run rebuild:electron/);
    expect(describeStartupError(error, { isPackaged: true }).message).toMatch(/Reinstall Lathe/);
  });

  it('shows anything else as is', () => {
    expect(describeStartupError(new Error('EACCES: /data'), { isPackaged: true })).toEqual({
      title: 'Lathe could not start',
      message: 'EACCES: /data',
    });
  });
});
