import { readFileSync } from 'node:fs';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

/** Lints a fixture's text as if it were the file at `asPath`; returns the boundary violations. */
async function boundaryErrors(fixture: string, asPath: string): Promise<string[]> {
  const code = readFileSync(`tests/fixtures/lint/${fixture}`, 'utf8');
  const [result] = await eslint.lintText(code, { filePath: asPath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('process boundaries are enforced by lint', () => {
  it('rejects an electron import in src/main/core', async () => {
    const errors = await boundaryErrors('coreImportsElectron.ts', 'src/main/core/paths.ts');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/never import electron/);
  });

  it('rejects an electron import in src/shared', async () => {
    expect(await boundaryErrors('coreImportsElectron.ts', 'src/shared/paths.ts')).toHaveLength(1);
  });

  it('accepts the same import in the Electron shell', async () => {
    expect(await boundaryErrors('coreImportsElectron.ts', 'src/main/electron/paths.ts')).toEqual([]);
  });

  it('rejects Node modules and native packages in the renderer', async () => {
    const errors = await boundaryErrors('rendererImportsNode.ts', 'src/renderer/src/features/x/read.ts');
    expect(errors).toHaveLength(2);
    expect(errors.join('\n')).toMatch(/no Node modules/);
    expect(errors.join('\n')).toMatch(/untrusted/);
  });

  it('accepts Node modules in the core', async () => {
    expect(await boundaryErrors('coreClean.ts', 'src/main/core/dbFile.ts')).toEqual([]);
  });
});
