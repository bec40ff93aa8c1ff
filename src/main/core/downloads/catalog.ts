import type { CatalogEntry, CatalogQuantization } from '../../../shared/domain';

const GB = 1e9;

interface Seed {
  id: string;
  name: string;
  family: string;
  parameterCount: number;
  hfRepo: string;
  /** File name stem in the repository; the quantization and `.gguf` are appended. */
  stem: string;
  /** Approximate sizes in GB as published on the repository pages (rounded). */
  sizesGb: Record<CatalogQuantization, number>;
  contextLength: number;
  license: string;
  licenseNote: string;
  fineTunesWellOn: string[];
  description: string;
}

const qwenLicense = {
  license: 'Apache-2.0',
  licenseNote: 'Permissive: commercial use, modification and redistribution allowed; keep the license notice.',
};
const llamaLicense = {
  license: 'Llama 3.2 Community License',
  licenseNote:
    'Free for most uses; requires "Built with Llama" attribution, follows Meta\'s acceptable use policy, and ' +
    'needs a separate license above 700 million monthly users.',
};
const gemmaLicense = {
  license: 'Gemma Terms of Use',
  licenseNote:
    "Commercial use allowed; derivatives must carry the Gemma terms and follow Google's prohibited use policy.",
};

const seeds: Seed[] = [
  {
    id: 'qwen3-0.6b',
    name: 'Qwen3 0.6B',
    family: 'Qwen3',
    parameterCount: 0.6e9,
    hfRepo: 'unsloth/Qwen3-0.6B-GGUF',
    stem: 'Qwen3-0.6B',
    sizesGb: { Q4_K_M: 0.4, Q5_K_M: 0.44, Q8_0: 0.64, F16: 1.2 },
    contextLength: 40_960,
    ...qwenLicense,
    fineTunesWellOn: ['classification and extraction', 'fixed output formats (JSON)', 'quick experiments'],
    description: 'The smallest Qwen3: fast on any CPU, good for narrow tasks and trying out fine-tuning.',
  },
  {
    id: 'qwen3-1.7b',
    name: 'Qwen3 1.7B',
    family: 'Qwen3',
    parameterCount: 1.7e9,
    hfRepo: 'unsloth/Qwen3-1.7B-GGUF',
    stem: 'Qwen3-1.7B',
    sizesGb: { Q4_K_M: 1.11, Q5_K_M: 1.26, Q8_0: 1.83, F16: 3.45 },
    contextLength: 40_960,
    ...qwenLicense,
    fineTunesWellOn: ['tone and persona', 'short-form writing', 'structured extraction'],
    description:
      'A capable small chat model (Lathe trains it with thinking off; chat can turn it on); a good default on laptops.',
  },
  {
    id: 'qwen3-4b',
    name: 'Qwen3 4B',
    family: 'Qwen3',
    parameterCount: 4.0e9,
    hfRepo: 'unsloth/Qwen3-4B-GGUF',
    stem: 'Qwen3-4B',
    sizesGb: { Q4_K_M: 2.5, Q5_K_M: 2.89, Q8_0: 4.28, F16: 8.05 },
    contextLength: 40_960,
    ...qwenLicense,
    fineTunesWellOn: ['domain Q&A', 'code style and small tools', 'multilingual assistants'],
    description: 'Strong reasoning for its size; wants 8 GB of RAM or a small GPU.',
  },
  {
    id: 'llama-3.2-1b-instruct',
    name: 'Llama 3.2 1B Instruct',
    family: 'Llama 3.2',
    parameterCount: 1.24e9,
    hfRepo: 'unsloth/Llama-3.2-1B-Instruct-GGUF',
    stem: 'Llama-3.2-1B-Instruct',
    sizesGb: { Q4_K_M: 0.81, Q5_K_M: 0.91, Q8_0: 1.32, F16: 2.48 },
    contextLength: 131_072,
    ...llamaLicense,
    fineTunesWellOn: ['summaries and rewriting', 'style transfer', 'on-device assistants'],
    description: "Meta's small instruction model with a long context window.",
  },
  {
    id: 'llama-3.2-3b-instruct',
    name: 'Llama 3.2 3B Instruct',
    family: 'Llama 3.2',
    parameterCount: 3.21e9,
    hfRepo: 'unsloth/Llama-3.2-3B-Instruct-GGUF',
    stem: 'Llama-3.2-3B-Instruct',
    sizesGb: { Q4_K_M: 2.02, Q5_K_M: 2.32, Q8_0: 3.42, F16: 6.43 },
    contextLength: 131_072,
    ...llamaLicense,
    fineTunesWellOn: ['customer-support tone', 'instruction following', 'tool-call formats'],
    description: 'A well-rounded small assistant; widely fine-tuned, many examples to learn from.',
  },
  {
    id: 'gemma-3-1b-it',
    name: 'Gemma 3 1B it',
    family: 'Gemma 3',
    parameterCount: 1.0e9,
    hfRepo: 'unsloth/gemma-3-1b-it-GGUF',
    stem: 'gemma-3-1b-it',
    sizesGb: { Q4_K_M: 0.81, Q5_K_M: 0.85, Q8_0: 1.07, F16: 2.01 },
    contextLength: 32_768,
    ...gemmaLicense,
    fineTunesWellOn: ['short answers in a fixed voice', 'text classification', 'templated replies'],
    description: "Google's smallest Gemma 3, text only; large vocabulary, quick to fine-tune.",
  },
  {
    id: 'gemma-3-4b-it',
    name: 'Gemma 3 4B it',
    family: 'Gemma 3',
    parameterCount: 4.3e9,
    hfRepo: 'unsloth/gemma-3-4b-it-GGUF',
    stem: 'gemma-3-4b-it',
    sizesGb: { Q4_K_M: 2.49, Q5_K_M: 2.83, Q8_0: 4.13, F16: 7.77 },
    contextLength: 131_072,
    ...gemmaLicense,
    fineTunesWellOn: ['multilingual chat', 'writing assistance', 'domain Q&A'],
    description: 'A strong 4B multilingual model (the GGUF here is the text part).',
  },
  {
    id: 'smollm3-3b',
    name: 'SmolLM3 3B',
    family: 'SmolLM3',
    parameterCount: 3.08e9,
    hfRepo: 'unsloth/SmolLM3-3B-GGUF',
    stem: 'SmolLM3-3B',
    sizesGb: { Q4_K_M: 1.92, Q5_K_M: 2.21, Q8_0: 3.28, F16: 6.16 },
    contextLength: 65_536,
    license: 'Apache-2.0',
    licenseNote: 'Permissive; fully open training data and recipe from Hugging Face.',
    fineTunesWellOn: ['English/European-language assistants', 'long documents', 'concise answers'],
    description:
      "Hugging Face's open 3B model with long context (Lathe trains it with thinking off; chat can turn it on).",
  },
];

/**
 * The curated models Lathe suggests. Static data: file names are as published when this was written
 * and sizes are approximate (the download resolves `hf:<repo>:<quant>` against the repository, so a
 * renamed file is still found).
 */
export const modelCatalog: readonly CatalogEntry[] = seeds.map((s) => ({
  id: s.id,
  name: s.name,
  family: s.family,
  parameterCount: s.parameterCount,
  hfRepo: s.hfRepo,
  files: (Object.keys(s.sizesGb) as CatalogQuantization[]).map((quantization) => ({
    quantization,
    fileName: `${s.stem}-${quantization}.gguf`,
    approxSizeBytes: Math.round(s.sizesGb[quantization] * GB),
    source: `hf:${s.hfRepo}:${quantization}`,
  })),
  contextLength: s.contextLength,
  license: s.license,
  licenseNote: s.licenseNote,
  fineTunesWellOn: s.fineTunesWellOn,
  description: s.description,
}));
