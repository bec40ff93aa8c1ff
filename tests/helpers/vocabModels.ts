import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getLlama, LlamaLogLevel, type Llama, type LlamaModel } from 'node-llama-cpp';
import type { TokenizerPort } from '../../src/main/core/training/tokenizeExample';
import { llamaTree } from './llamaTree';

/**
 * The real tokenizers and chat templates of llama.cpp's tree: vocabulary-only models
 * (`models/ggml-vocab-<name>.gguf`, each loaded once) and `models/templates/<name>.jinja`.
 * Call `dispose()` after the tests.
 */
export function vocabModels() {
  const tree = llamaTree();
  let llama: Promise<Llama> | undefined;
  const models = new Map<string, Promise<LlamaModel>>();
  const getLlamaOnce = () => (llama ??= getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error }));
  return {
    llama: getLlamaOnce,
    /** The vocabulary-only model `ggml-vocab-<name>.gguf`. */
    vocab(name: string): Promise<LlamaModel> {
      let model = models.get(name);
      if (!model) {
        const path = join(tree, 'models', `ggml-vocab-${name}.gguf`);
        model = getLlamaOnce().then((l) => l.loadModel({ modelPath: path, vocabOnly: true }));
        models.set(name, model);
      }
      return model;
    },
    /** The Jinja source of `models/templates/<name>.jinja`. */
    template(name: string): string {
      return readFileSync(join(tree, 'models', 'templates', `${name}.jinja`), 'utf8');
    },
    async dispose(): Promise<void> {
      for (const model of models.values()) await (await model).dispose();
      if (llama) await (await llama).dispose();
    },
  };
}

/** A model's tokenizer as training sees it. */
export function tokenizerPort(model: LlamaModel): TokenizerPort {
  return {
    tokenize: (text) => model.tokenize(text, true) as number[],
    detokenize: (tokens) => model.detokenize(tokens as never, true),
    bos: model.tokens.bos as number | null,
    addBos: model.tokens.shouldPrependBosToken,
  };
}
