import { describe, expect, it } from 'vitest';
import { apiModels, findApiModel, slug } from '../../src/main/core/api/apiModels';
import { OpenAiError, parseChatCompletion } from '../../src/main/core/api/openAiRequest';
import { StopMatcher } from '../../src/main/core/api/StopMatcher';
import { samplingPresets, type ModelInfo } from '../../src/shared/domain';

const user = (content: unknown) => ({ role: 'user', content });

describe('parseChatCompletion', () => {
  it('reads messages, sampling over the Balanced preset, stop and streaming', () => {
    const r = parseChatCompletion({
      model: 'm',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: 'Use lists.' },
        user('Hi'),
        { role: 'assistant', content: 'Hello!' },
        user([
          { type: 'text', text: 'What is ' },
          { type: 'text', text: 'LoRA?' },
        ]),
      ],
      temperature: 0,
      max_tokens: 50,
      seed: -7,
      stop: '###',
      stream: true,
      stream_options: { include_usage: true },
      unknown_field: 1,
    });
    expect(r.messages).toEqual([
      { role: 'system', content: 'Be brief.\n\nUse lists.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello!' },
      { role: 'user', content: 'What is LoRA?' },
    ]);
    expect(r.sampling).toEqual({ ...samplingPresets.balanced, temperature: 0, maxTokens: 50, seed: 7 });
    expect(r.stop).toEqual(['###']);
    expect(r.stream).toBe(true);
    expect(r.includeUsage).toBe(true);
  });

  it('prefers max_completion_tokens, switches thinking with chat_template_kwargs, defaults to no stream', () => {
    const r = parseChatCompletion({
      model: 'm',
      messages: [user('q')],
      max_tokens: 10,
      max_completion_tokens: 20,
      chat_template_kwargs: { enable_thinking: true },
      stop: null,
    });
    expect(r.sampling.maxTokens).toBe(20);
    expect(r.sampling.thinking).toBe(true);
    expect(r.sampling.seed).toBeNull();
    expect(r.stream).toBe(false);
    expect(r.stop).toEqual([]);
  });

  it('refuses what it cannot honour, naming the field', () => {
    const bad = (body: unknown, param: string | null, message: RegExp) => {
      try {
        parseChatCompletion(body);
        throw new Error('accepted');
      } catch (error) {
        expect(error).toBeInstanceOf(OpenAiError);
        expect((error as OpenAiError).status).toBe(400);
        expect((error as OpenAiError).param).toBe(param);
        expect((error as OpenAiError).message).toMatch(message);
      }
    };
    bad({ messages: [user('q')] }, 'model', /model/);
    bad({ model: 'm', messages: [] }, 'messages', /empty/);
    bad({ model: 'm', messages: [user('q'), { role: 'assistant', content: 'a' }] }, 'messages', /last message/);
    bad({ model: 'm', messages: [user([{ type: 'image_url', image_url: {} }])] }, 'messages.0.content.0', /text only/);
    bad({ model: 'm', messages: [{ role: 'tool', content: 'x' }, user('q')] }, 'messages.0.role', /"tool"/);
    bad({ model: 'm', messages: [user('q'), { role: 'system', content: 's' }, user('q')] }, 'messages.1', /before/);
    bad({ model: 'm', messages: [user('q')], n: 2 }, 'n', /n = 1/);
    bad({ model: 'm', messages: [user('q')], temperature: 9 }, 'temperature', /./);
    bad('not an object', null, /./);
  });
});

describe('StopMatcher', () => {
  it('cuts at the first stop string, never delivering a piece of it', () => {
    const m = new StopMatcher(['END', '\n\n']);
    const out = ['Hel', 'lo E', 'N', 'ough', ' then E', 'ND and more'].map((d) => m.push(d));
    expect(out.join('') + m.flush()).toBe('Hello ENough then ');
    expect(m.stopped).toBe(true);
    expect(m.push('x')).toBe('');
    // no piece of a stop string left before the cut
    expect(out).not.toContain('E');
  });

  it('passes text through without stops, and gives back held text at the end', () => {
    expect(new StopMatcher([]).push('abc')).toBe('abc');
    const m = new StopMatcher(['STOP']);
    expect(m.push('ab ST')).toBe('ab ');
    expect(m.flush()).toBe('ST');
    expect(m.stopped).toBe(false);
  });
});

describe('the models the API lists', () => {
  const model = (id: string, name: string, variants: ModelInfo['variants'] = [], missing = false) =>
    ({ id, name, variants, missing, createdAt: 1_700_000_000_000 }) as ModelInfo;
  const variant = (adapterId: string, name: string, available = true) =>
    ({ adapterId, name, available, createdAt: 1_700_000_100_000 }) as ModelInfo['variants'][number];

  it('gives models and their fine-tunes readable, unique ids, skipping missing files', () => {
    const list = apiModels([
      model('m1', 'Qwen3 0.6B (Q8_0)', [variant('a1', 'My tune'), variant('a2', 'Gone', false)]),
      model('m2', 'Qwen3 0.6B (Q8_0)'),
      model('m3', 'Moved away', [], true),
    ]);
    expect(list.map((m) => m.id)).toEqual(['qwen3-0-6b-q8-0', 'qwen3-0-6b-q8-0+my-tune', 'qwen3-0-6b-q8-0-m2']);
    expect(list[1]).toMatchObject({ modelId: 'm1', adapterId: 'a1', name: 'Qwen3 0.6B (Q8_0) + My tune' });
    expect(findApiModel(list, 'qwen3-0-6b-q8-0+my-tune')?.adapterId).toBe('a1');
    expect(findApiModel(list, 'm2')?.id).toBe('qwen3-0-6b-q8-0-m2');
    expect(findApiModel(list, 'a1')?.id).toBe('qwen3-0-6b-q8-0+my-tune');
    expect(findApiModel(list, 'nope')).toBeNull();
    expect(slug('  ***  ')).toBe('model');
  });
});
