import type { TokenizerPort } from '../../src/main/core/training/tokenizeExample';

/** ChatML, the template most small instruct models use. */
export const chatml = {
  template:
    "{% for m in messages %}{{ '<|im_start|>' + m.role + '\\n' + m.content + '<|im_end|>\\n' }}{% endfor %}" +
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}",
  bosToken: '',
  eosToken: '<|im_end|>',
};

/** A character tokenizer with two special tokens: enough to check policy, not tokenization. */
const specials = ['<|im_start|>', '<|im_end|>'];
export const charTokenizer: TokenizerPort = {
  tokenize(text) {
    const out: number[] = [];
    for (let i = 0; i < text.length;) {
      const s = specials.findIndex((sp) => text.startsWith(sp, i));
      if (s >= 0) {
        out.push(100000 + s);
        i += specials[s]!.length;
      } else {
        out.push(text.codePointAt(i)!);
        i += text.codePointAt(i)! > 0xffff ? 2 : 1;
      }
    }
    return out;
  },
  detokenize: (tokens) => tokens.map((t) => (t >= 100000 ? specials[t - 100000] : String.fromCodePoint(t))).join(''),
  bos: null,
  addBos: false,
};
