// Node module hooks that run the bench's TypeScript without a build step or a TS runtime
// dependency: `.ts` files are transpiled one by one with the project's own `typescript`
// (transpileModule: no type checking; `npm run typecheck` covers bench/**/*.ts), and a relative
// `./x.js` import that has no .js file resolves to `./x.ts` (the repo's import style); an
// extensionless one (src/'s style, which the app's bundler resolves) to `./x.ts`.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const compilerOptions = {
  module: ts.ModuleKind.ESNext,
  target: ts.ScriptTarget.ES2022,
  verbatimModuleSyntax: true,
  sourceMap: false,
  inlineSourceMap: true,
};

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (err) {
    const relative = specifier.startsWith('./') || specifier.startsWith('../');
    if (!relative || err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
    if (specifier.endsWith('.js')) return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
    if (/\/[^/.]+$/.test(specifier)) return nextResolve(`${specifier}.ts`, context);
    throw err;
  }
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const fileName = fileURLToPath(url);
  const source = await readFile(fileName, 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions, fileName });
  return { format: 'module', source: outputText, shortCircuit: true };
}
