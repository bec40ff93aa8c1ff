#!/usr/bin/env python3
"""PyTorch reference for `npm run bench`: LoRA training of a random-weight llama on the CPU.

A plain, faithful llama (as Hugging Face's LlamaForCausalLM computes it): token embedding, per layer
RMSNorm -> q/k/v projections -> RoPE -> grouped-query causal attention -> o projection -> residual,
RMSNorm -> SwiGLU MLP (down(silu(gate(x)) * up(x))) -> residual; final RMSNorm and an untied LM head;
cross-entropy over every position. Every base weight is frozen F32; LoRA (PEFT's formulation, no
dropout: y = W x + (alpha / r) * B A x, A uniform +-1/sqrt(n_in), B = 0) on q, k, v, o, gate, up,
down; AdamW (weight decay 0, as Lathe's default) on the LoRA parameters only. Batch 1, one window of
`--seq` tokens per optimizer step, like the Lathe side of the bench.

Run it with Debian's interpreter and torch (`/usr/bin/python3`, python3-torch) and OpenBLAS
(libopenblas0-pthread); the bench sets OPENBLAS_CORETYPE and OPENBLAS_NUM_THREADS. Alone, it runs
`--warmup` + `--steps` steps and writes one JSON object to `--out` (or stdout): step times, peak RSS
(VmHWM) and what threadpoolctl saw. With `--serve` it takes part in the bench's lockstep protocol
(one step per `step` line on stdin; see serve()).
"""
import argparse
import json
import math
import os
import platform
import sys
import time


def vm_hwm_bytes():
    """Peak resident set size of this process (Linux /proc), in bytes."""
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) * 1024
    return None


def log(msg):
    print(f'[pytorch] {msg}', file=sys.stderr, flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--layers', type=int, default=30)
    p.add_argument('--embd', type=int, default=576)
    p.add_argument('--heads', type=int, default=9)
    p.add_argument('--kv-heads', type=int, default=3)
    p.add_argument('--ff', type=int, default=1536)
    p.add_argument('--vocab', type=int, default=49152)
    p.add_argument('--seq', type=int, default=512)
    p.add_argument('--rank', type=int, default=16)
    p.add_argument('--alpha', type=float, default=32)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--warmup', type=int, default=1)
    p.add_argument('--steps', type=int, default=3)
    p.add_argument('--lr', type=float, default=1e-4)
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--out', help='write the JSON result here (default: stdout)')
    p.add_argument('--serve', action='store_true', help="the bench's lockstep protocol on stdin/stdout (see serve())")
    a = p.parse_args()

    import torch
    import torch.nn.functional as F
    from torch import nn

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)

    try:
        from threadpoolctl import threadpool_info

        pools = threadpool_info()
    except ImportError:
        pools = None
    blas = [x for x in (pools or []) if x.get('user_api') == 'blas']
    if blas:
        b = blas[0]
        log(f"BLAS: {b.get('internal_api')} {b.get('version')} kernel {b.get('architecture')}, {b.get('num_threads')} threads")
    else:
        log('BLAS: threadpoolctl saw no BLAS library' if pools is not None else 'threadpoolctl not installed')

    def uniform(shape, bound):
        return torch.empty(*shape).uniform_(-bound, bound)

    class LoraLinear(nn.Module):
        def __init__(self, n_in, n_out):
            super().__init__()
            # Same init scale as tests/helpers/gguf/randomLlama.ts: uniform, variance 1/n_in.
            self.weight = nn.Parameter(uniform((n_out, n_in), math.sqrt(3 / n_in)), requires_grad=False)
            self.lora_a = nn.Parameter(uniform((a.rank, n_in), 1 / math.sqrt(n_in)))
            self.lora_b = nn.Parameter(torch.zeros(n_out, a.rank))
            self.scale = a.alpha / a.rank

        def forward(self, x):
            return F.linear(x, self.weight) + F.linear(F.linear(x, self.lora_a), self.lora_b) * self.scale

    class RMSNorm(nn.Module):
        def __init__(self, n, eps=1e-5):
            super().__init__()
            self.weight = nn.Parameter(torch.ones(n), requires_grad=False)
            self.eps = eps

        def forward(self, x):
            return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight

    head_dim = a.embd // a.heads
    groups = a.heads // a.kv_heads

    def rotate_half(x):
        x1, x2 = x[..., : head_dim // 2], x[..., head_dim // 2 :]
        return torch.cat((-x2, x1), dim=-1)

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.attn_norm = RMSNorm(a.embd)
            self.q = LoraLinear(a.embd, a.heads * head_dim)
            self.k = LoraLinear(a.embd, a.kv_heads * head_dim)
            self.v = LoraLinear(a.embd, a.kv_heads * head_dim)
            self.o = LoraLinear(a.heads * head_dim, a.embd)
            self.ffn_norm = RMSNorm(a.embd)
            self.gate = LoraLinear(a.embd, a.ff)
            self.up = LoraLinear(a.embd, a.ff)
            self.down = LoraLinear(a.ff, a.embd)

        def forward(self, x, cos, sin, mask):
            bsz, t, _ = x.shape
            h = self.attn_norm(x)
            q = self.q(h).view(bsz, t, a.heads, head_dim).transpose(1, 2)
            k = self.k(h).view(bsz, t, a.kv_heads, head_dim).transpose(1, 2)
            v = self.v(h).view(bsz, t, a.kv_heads, head_dim).transpose(1, 2)
            q = q * cos + rotate_half(q) * sin
            k = k * cos + rotate_half(k) * sin
            k = k.repeat_interleave(groups, dim=1)
            v = v.repeat_interleave(groups, dim=1)
            scores = q @ k.transpose(2, 3) / math.sqrt(head_dim) + mask
            attn = torch.softmax(scores, dim=-1) @ v
            x = x + self.o(attn.transpose(1, 2).reshape(bsz, t, a.heads * head_dim))
            h = self.ffn_norm(x)
            return x + self.down(F.silu(self.gate(h)) * self.up(h))

    class Llama(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(a.vocab, a.embd)
            self.embed.weight.requires_grad_(False)
            with torch.no_grad():
                self.embed.weight.uniform_(-1, 1)
            self.blocks = nn.ModuleList(Block() for _ in range(a.layers))
            self.norm = RMSNorm(a.embd)
            self.lm_head = nn.Parameter(uniform((a.vocab, a.embd), 2 * math.sqrt(3 / a.embd)), requires_grad=False)
            inv_freq = 1.0 / (10000 ** (torch.arange(0, head_dim, 2).float() / head_dim))
            freqs = torch.outer(torch.arange(a.seq).float(), inv_freq)
            emb = torch.cat((freqs, freqs), dim=-1)
            self.register_buffer('cos', emb.cos()[None, None], persistent=False)
            self.register_buffer('sin', emb.sin()[None, None], persistent=False)
            self.register_buffer('mask', torch.full((a.seq, a.seq), float('-inf')).triu(1), persistent=False)

        def forward(self, tokens, labels):
            x = self.embed(tokens)
            for blk in self.blocks:
                x = blk(x, self.cos, self.sin, self.mask)
            logits = F.linear(self.norm(x), self.lm_head)
            return F.cross_entropy(logits.view(-1, a.vocab), labels.view(-1))

    t0 = time.perf_counter()
    model = Llama()
    lora = [p for p in model.parameters() if p.requires_grad]
    n_lora = sum(p.numel() for p in lora)
    n_params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.AdamW(lora, lr=a.lr, weight_decay=0.0)
    log(f'model: {n_params / 1e6:.1f}M parameters, LoRA {n_lora / 1e6:.2f}M trainable; built in {time.perf_counter() - t0:.1f} s')

    gen = torch.Generator().manual_seed(a.seed + 1)
    first_plain = min(259, a.vocab - 1)  # same token range as the Lathe side (plain tokens of its vocab)

    def step():
        seq = torch.randint(first_plain, a.vocab, (1, a.seq + 1), generator=gen)
        tokens, labels = seq[:, :-1], seq[:, 1:]  # every position labelled
        t = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = model(tokens, labels)
        loss.backward()
        opt.step()
        return time.perf_counter() - t, loss.item()

    meta = {
        'nParams': n_params,
        'nLoraParams': n_lora,
        'torch': torch.__version__,
        'python': platform.python_version(),
        'torchThreads': torch.get_num_threads(),
        'openblasCoretypeEnv': os.environ.get('OPENBLAS_CORETYPE'),
        'blas': blas[0] if blas else None,
    }
    if a.serve:
        serve(meta, step, a.seq)
        return

    steps = []
    losses = []
    for i in range(a.warmup + a.steps):
        dt, loss = step()
        losses.append(loss)
        measured = i >= a.warmup
        if measured:
            steps.append(dt)
        log(f"{'step' if measured else 'warmup'} {i + 1}/{a.warmup + a.steps}: {dt:.2f} s, {a.seq / dt:.1f} tok/s, loss {loss:.3f}")
    result = {'stepSeconds': steps, 'tokensPerStep': a.seq, 'losses': losses, 'peakRssBytes': vm_hwm_bytes(), **meta}
    text = json.dumps(result)
    if a.out:
        with open(a.out, 'w') as f:
            f.write(text)
    else:
        print(text)


def serve(meta, step, tokens):
    """The bench's lockstep protocol: announce readiness, then one step per `step` line on stdin,
    each answered on stdout; `finish` answers with the peak RSS and exits."""

    def say(obj):
        sys.stdout.write('@bench ' + json.dumps(obj) + '\n')
        sys.stdout.flush()

    say({'ready': meta})
    for line in sys.stdin:
        cmd = line.strip()
        if cmd == 'step':
            dt, loss = step()
            log(f'step: {dt:.2f} s, {tokens / dt:.1f} tok/s, loss {loss:.3f}')
            say({'step': {'seconds': dt, 'tokens': tokens, 'loss': loss}})
        elif cmd == 'finish':
            say({'finish': {'peakRssBytes': vm_hwm_bytes()}})
            return


if __name__ == '__main__':
    main()
