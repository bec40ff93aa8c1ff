import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/createCore';
import type { ApiServerStatus } from '../../src/shared/api';
import type { Conversation, ModelInfo, StoredMessage } from '../../src/shared/domain';
import { coreCalls } from '../helpers/coreCalls';
import { writeLoraAdapter, writeTinyChatModel } from '../helpers/models/testModels';
import { freePort } from '../helpers/freePort';
import { recordAdapters } from '../helpers/adapterRows';
import { tempDir } from '../helpers/tempDir';
import { testCore } from '../helpers/testCore';

// The local OpenAI-compatible API, end to end: a real tiny model and adapter from the library,
// answered through the same engine as chat (a greedy answer is chat's, word for word), over HTTP
// with fetch, as an OpenAI client would.

const inference = { gpu: false, threads: 2, contextSize: 256, sequences: 2 } as const;
let dir: ReturnType<typeof tempDir>;
let dataDir: string;
let core: Core;
let baseId: string;
let status: ApiServerStatus;

const greedy = { temperature: 0, top_p: 1, top_k: 0, min_p: 0, repeat_penalty: 1, max_tokens: 12, seed: 1 };
const question = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Say something.' },
];

const { call, failure, importModel } = coreCalls(() => core);

function api(path: string, init: RequestInit & { key?: string | null } = {}): Promise<Response> {
  const { key = status.key, headers, ...rest } = init;
  return fetch(`${status.baseUrl!.replace(/\/v1$/, '')}${path}`, {
    ...rest,
    headers: { ...(key ? { Authorization: `Bearer ${key}` } : {}), 'Content-Type': 'application/json', ...headers },
  });
}

const complete = (body: Record<string, unknown>) =>
  api('/v1/chat/completions', { method: 'POST', body: JSON.stringify(body) });

/** The `data:` events of a server-sent event stream, parsed (`[DONE]` kept as a string). */
async function events(res: Response): Promise<unknown[]> {
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('data: '))
    .map((block) => block.slice('data: '.length))
    .map((data) => (data === '[DONE]' ? data : (JSON.parse(data) as unknown)));
}

beforeAll(async () => {
  dir = tempDir();
  dataDir = join(dir.path, 'data');
  writeTinyChatModel(join(dir.path, 'tiny.gguf'), 1);
  core = testCore(dataDir, { inference, progressIntervalMs: 0 });
  baseId = await importModel(join(dir.path, 'tiny.gguf'));
  await call('models.rename', { id: baseId, name: 'Tiny Chat' });
  const sha256 = (await call<ModelInfo>('models.get', { id: baseId })).sha256;
  writeLoraAdapter(join(dir.path, 'strong.gguf'), { gain: 3, seed: 11 });
  recordAdapters(core, { path: join(dir.path, 'tiny.gguf'), sha256 }, [
    { id: 'strong', name: 'Strong tune', path: join(dir.path, 'strong.gguf'), createdAt: 1 },
    { id: 'gone', name: 'Gone', path: join(dir.path, 'gone.gguf'), createdAt: 2 },
  ]);
});
afterAll(async () => {
  await core?.close();
  dir?.remove();
});

describe('the local OpenAI-compatible API', () => {
  it('is off until switched on, then lists the library’s models and fine-tunes behind a key', async () => {
    const off = await call<ApiServerStatus>('api.status', {});
    expect(off).toMatchObject({ enabled: false, running: false, baseUrl: null, error: null });
    expect(off.key).toMatch(/^lathe-[\w-]{32}$/);
    const port = await freePort();
    status = await call<ApiServerStatus>('api.configure', { enabled: true, port });
    expect(status).toMatchObject({ enabled: true, running: true, port, baseUrl: `http://127.0.0.1:${port}/v1` });

    const res = await api('/v1/models');
    expect(res.status).toBe(200);
    const list = (await res.json()) as { object: string; data: { id: string; object: string; owned_by: string }[] };
    expect(list.object).toBe('list');
    // the adapter whose file is gone is not offered
    expect(list.data.map((m) => m.id)).toEqual(['tiny-chat', 'tiny-chat+strong-tune']);
    expect(list.data[0]).toMatchObject({ object: 'model', owned_by: 'lathe' });
    expect(((await (await api('/v1/models/tiny-chat+strong-tune')).json()) as { id: string }).id).toBe(
      'tiny-chat+strong-tune',
    );

    // refused: no key, a wrong key, a web page, a foreign Host (DNS rebinding)
    for (const [init, code, expected] of [
      [{ key: null }, 401, 'invalid_api_key'],
      [{ key: 'lathe-wrong' }, 401, 'invalid_api_key'],
      [{ headers: { Origin: 'https://evil.example' } }, 403, 'origin_refused'],
    ] as const) {
      const r = await api('/v1/models', init);
      expect(r.status).toBe(code);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe(expected);
    }
    // fetch cannot set Host; a plain request can, as a rebinding page's browser would send it
    const rebound = await new Promise<number>((resolve, reject) => {
      request(
        {
          host: '127.0.0.1',
          port,
          path: '/v1/models',
          headers: { Authorization: `Bearer ${status.key}`, Host: `evil.example:${port}` },
        },
        (r) => {
          r.resume();
          resolve(r.statusCode ?? 0);
        },
      )
        .on('error', reject)
        .end();
    });
    expect(rebound).toBe(421);
  });

  it('answers a chat completion with chat’s own answer, and a fine-tune differently', async () => {
    // chat's greedy answer to the same conversation
    const conversation = await call<Conversation>('chat.conversations.create', {
      modelId: baseId,
      systemPrompt: 'You are terse.',
      sampling: { temperature: 0, topP: 1, topK: 0, minP: 0, repeatPenalty: 1, maxTokens: 12, seed: 1 },
    });
    const messages: StoredMessage[] = [];
    const off = core.events.subscribe((event, payload) => {
      if (event === 'chat.message') messages.push(payload as StoredMessage);
    });
    const turn = await call<{ assistantMessageId: string }>('chat.send', {
      conversationId: conversation.id,
      content: 'Say something.',
    });
    let answer: StoredMessage | undefined;
    while (!(answer = messages.find((m) => m.id === turn.assistantMessageId && m.status !== 'streaming'))) {
      await new Promise((r) => setTimeout(r, 10));
    }
    off();
    expect(answer.status).toBe('done');

    const res = await complete({ model: 'tiny-chat', messages: question, ...greedy });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      id: string;
      object: string;
      model: string;
      choices: { index: number; message: { role: string; content: string }; finish_reason: string }[];
      usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
    };
    expect(body.object).toBe('chat.completion');
    expect(body.id).toMatch(/^chatcmpl-/);
    expect(body.model).toBe('tiny-chat');
    expect(body.choices[0]!.message).toEqual({ role: 'assistant', content: answer.content });
    expect(body.choices[0]!.finish_reason).toBe('length');
    expect(body.usage.completion_tokens).toBe(12);
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + 12);

    const tuned = (await (
      await complete({ model: 'tiny-chat+strong-tune', messages: question, ...greedy })
    ).json()) as {
      choices: { message: { content: string } }[];
    };
    expect(tuned.choices[0]!.message.content).not.toBe(answer.content);
    // an adapter id or a library model id work as `model` too
    const byId = (await (await complete({ model: 'strong', messages: question, ...greedy })).json()) as {
      choices: { message: { content: string } }[];
    };
    expect(byId.choices[0]!.message.content).toBe(tuned.choices[0]!.message.content);
  });

  it('streams the same answer as server-sent events, with usage and [DONE]', async () => {
    const whole = (await (await complete({ model: 'tiny-chat', messages: question, ...greedy })).json()) as {
      choices: { message: { content: string } }[];
    };
    const res = await complete({
      model: 'tiny-chat',
      messages: question,
      ...greedy,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const chunks = await events(res);
    expect(chunks.at(-1)).toBe('[DONE]');
    type Chunk = {
      object: string;
      choices: { delta: { role?: string; content?: string }; finish_reason: string | null }[];
      usage?: { completion_tokens: number };
    };
    const data = chunks.slice(0, -1) as Chunk[];
    expect(data.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    expect(data[0]!.choices[0]!.delta.role).toBe('assistant');
    const text = data.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe(whole.choices[0]!.message.content);
    expect(data.filter((c) => c.choices.length > 0).length).toBeGreaterThan(3);
    const finish = data.map((c) => c.choices[0]?.finish_reason).filter((f) => f);
    expect(finish).toEqual(['length']);
    expect(data.at(-1)!.choices).toEqual([]);
    expect(data.at(-1)!.usage?.completion_tokens).toBe(12);
  });

  it('stops at a stop string, and refuses bad requests in OpenAI’s error shape', async () => {
    const whole = (await (await complete({ model: 'tiny-chat', messages: question, ...greedy })).json()) as {
      choices: { message: { content: string } }[];
    };
    const text = whole.choices[0]!.message.content;
    // a stop string from the middle of the greedy answer: the answer ends right before it
    const cut = Math.max(1, Math.floor(text.length / 2));
    const stop = text.slice(cut, cut + 2);
    const stopped = (await (
      await complete({ model: 'tiny-chat', messages: question, ...greedy, stop: [stop] })
    ).json()) as {
      choices: { message: { content: string }; finish_reason: string }[];
    };
    expect(stopped.choices[0]!.message.content).toBe(text.slice(0, text.indexOf(stop)));
    expect(stopped.choices[0]!.finish_reason).toBe('stop');

    for (const [body, code, param] of [
      [{ model: 'no-such-model', messages: question }, 404, 'model'],
      [{ model: 'tiny-chat', messages: [{ role: 'assistant', content: 'a' }] }, 400, 'messages'],
      [{ model: 'tiny-chat', messages: question, n: 3 }, 400, 'n'],
    ] as const) {
      const r = await complete(body);
      expect(r.status).toBe(code);
      const error = ((await r.json()) as { error: { param: string; message: string; type: string } }).error;
      expect(error.param).toBe(param);
      expect(error.message.length).toBeGreaterThan(5);
    }
    const notJson = await api('/v1/chat/completions', { method: 'POST', body: '{oops' });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: { code: string } }).error.code).toBe('invalid_json');
    expect((await api('/v1/embeddings', { method: 'POST', body: '{}' })).status).toBe(404);
  });

  it('comes back at launch with its port and key; a new key shuts out the old; off closes it', async () => {
    const before = status;
    await core.close();
    core = testCore(dataDir, { inference, progressIntervalMs: 0 });
    for (let i = 0; i < 100 && !(await call<ApiServerStatus>('api.status', {})).running; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    status = await call<ApiServerStatus>('api.status', {});
    expect(status).toMatchObject({ running: true, port: before.port, key: before.key });
    expect((await api('/v1/models')).status).toBe(200);

    const oldKey = status.key;
    status = await call<ApiServerStatus>('api.configure', { newKey: true });
    expect(status.key).not.toBe(oldKey);
    expect((await api('/v1/models', { key: oldKey })).status).toBe(401);
    expect((await api('/v1/models')).status).toBe(200);

    // a port another program holds: refused with the reason, and the status says it
    const holder = createServer();
    const taken = await freePort();
    await new Promise<void>((resolve) => holder.listen(taken, '127.0.0.1', resolve));
    try {
      const error = await failure('api.configure', { port: taken });
      expect(error.code).toBe('CONFLICT');
      expect(error.message).toMatch(new RegExp(`Port ${taken} is in use`));
      expect(await call<ApiServerStatus>('api.status', {})).toMatchObject({ running: false, enabled: true });
    } finally {
      holder.close();
    }
    const port = await freePort();
    status = await call<ApiServerStatus>('api.configure', { port });
    expect(status).toMatchObject({ running: true, error: null, port });
    const url = status.baseUrl!;
    status = await call<ApiServerStatus>('api.configure', { enabled: false });
    expect(status).toMatchObject({ enabled: false, running: false, baseUrl: null });
    await expect(fetch(`${url}/models`)).rejects.toThrow();
  });
});
