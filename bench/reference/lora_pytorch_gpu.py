#!/usr/bin/env python3
"""PyTorch reference for the GPU check (bench/gpuCheck.ts): LoRA training of a random-weight llama on CUDA.

The same model as lora_pytorch.py (Hugging Face's LlamaForCausalLM computation: RMSNorm, q/k/v with
RoPE, grouped-query causal attention, o, SwiGLU MLP, final norm, untied LM head, cross-entropy on
every position), as people run LoRA on a GPU: frozen base weights in bf16, LoRA A/B in F32 on q, k,
v, o, gate, up, down (y = W x + (alpha / r) B A x, A uniform +-1/sqrt(n_in), B = 0), autocast to
bf16, PyTorch's fused scaled-dot-product attention, AdamW (fused) on the LoRA parameters only.
Batch 1, one window of --seq tokens per optimizer step. Writes one JSON object to --out (or stdout):
step times, useful tokens/s, torch.cuda.max_memory_allocated, the GPU's name.
"""
import argparse
import json
import math
import sys
import time


def log(msg):
    print(f'[pytorch-gpu] {msg}', file=sys.stderr, flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--layers', type=int, default=30)
    p.add_argument('--embd', type=int, default=576)
    p.add_argument('--heads', type=int, default=9)
    p.add_argument('--kv-heads', type=int, default=3)
    p.add_argument('--ff', type=int, default=1536)
    p.add_argument('--vocab', type=int, default=49152)
    p.add_argument('--seq', type=int, default=512)
    p.add_argument('--batch', type=int, default=1, help='sequences of --seq tokens per step')
    p.add_argument('--rank', type=int, default=16)
    p.add_argument('--alpha', type=float, default=32)
    p.add_argument('--warmup', type=int, default=2)
    p.add_argument('--steps', type=int, default=6)
    p.add_argument('--dtype', default='bfloat16', help='base weights and autocast dtype: bfloat16 or float32')
    p.add_argument('--out')
    a = p.parse_args()

    import torch
    import torch.nn.functional as F

    dev = torch.device('cuda')
    dt = getattr(torch, a.dtype)
    torch.manual_seed(1)
    hd = a.embd // a.heads

    def frozen(n_in, n_out, gain=1.0):
        bound = gain * math.sqrt(3 / n_in)
        return (torch.rand(n_out, n_in, device=dev) * 2 - 1).mul_(bound).to(dt).requires_grad_(False)

    class Lora(torch.nn.Module):
        def __init__(self, n_in, n_out):
            super().__init__()
            self.w = frozen(n_in, n_out)
            self.a = torch.nn.Parameter((torch.rand(a.rank, n_in, device=dev) * 2 - 1) / math.sqrt(n_in))
            self.b = torch.nn.Parameter(torch.zeros(n_out, a.rank, device=dev))
            self.s = a.alpha / a.rank

        def forward(self, x):
            return F.linear(x, self.w) + self.s * F.linear(F.linear(x, self.a), self.b)

    def rms(x, eps=1e-5):
        return x * torch.rsqrt(x.float().pow(2).mean(-1, keepdim=True) + eps).to(x.dtype)

    inv = 1.0 / (10000 ** (torch.arange(0, hd, 2, device=dev).float() / hd))
    ang = torch.outer(torch.arange(a.seq, device=dev).float(), inv)
    cos = torch.cat([ang.cos(), ang.cos()], -1)
    sin = torch.cat([ang.sin(), ang.sin()], -1)

    def rope(x):
        x1, x2 = x[..., : hd // 2], x[..., hd // 2 :]
        return x * cos.to(x.dtype) + torch.cat([-x2, x1], -1) * sin.to(x.dtype)

    class Layer(torch.nn.Module):
        def __init__(self):
            super().__init__()
            e, kv = a.embd, a.kv_heads * hd
            self.q, self.k, self.v, self.o = Lora(e, e), Lora(e, kv), Lora(e, kv), Lora(e, e)
            self.gate, self.up, self.down = Lora(e, a.ff), Lora(e, a.ff), Lora(a.ff, e)

        def forward(self, x):
            h = rms(x)
            B, T = x.shape[0], x.shape[1]
            q = self.q(h).view(B, T, a.heads, hd).transpose(1, 2)
            k = self.k(h).view(B, T, a.kv_heads, hd).transpose(1, 2)
            v = self.v(h).view(B, T, a.kv_heads, hd).transpose(1, 2)
            att = F.scaled_dot_product_attention(rope(q), rope(k), v, is_causal=True, enable_gqa=True)
            x = x + self.o(att.transpose(1, 2).reshape(B, T, a.embd))
            h = rms(x)
            return x + self.down(F.silu(self.gate(h)) * self.up(h))

    layers = torch.nn.ModuleList([Layer() for _ in range(a.layers)])
    embd = frozen(a.embd, a.vocab, math.sqrt(a.embd / 3))
    head = frozen(a.embd, a.vocab, 2.0)
    params = [p_ for p_ in layers.parameters() if p_.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.0, fused=True)
    n_lora = sum(p_.numel() for p_ in params)
    log(f'{torch.cuda.get_device_name()}, LoRA {n_lora / 1e6:.2f}M parameters, base {a.dtype}')

    def step():
        tok = torch.randint(259, a.vocab, (a.batch, a.seq + 1), device=dev)
        with torch.autocast('cuda', dtype=dt, enabled=dt != torch.float32):
            x = F.embedding(tok[:, :-1], embd)
            for layer in layers:
                x = layer(x)
            logits = F.linear(rms(x), head)
        loss = F.cross_entropy(logits.float().view(-1, a.vocab), tok[:, 1:].reshape(-1))
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        return loss

    times = []
    torch.cuda.reset_peak_memory_stats()
    for i in range(a.warmup + a.steps):
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        loss = step()
        loss.item()
        torch.cuda.synchronize()
        dt_s = time.perf_counter() - t0
        if i >= a.warmup:
            times.append(dt_s)
        log(f'step {i}: {dt_s:.4f} s, loss {loss.item():.3f}')
    res = {
        'device': torch.cuda.get_device_name(),
        'torch': torch.__version__,
        'dtype': a.dtype,
        'seq': a.seq,
        'batch': a.batch,
        'steps': len(times),
        'stepSeconds': times,
        'tokensPerSecond': a.batch * a.seq * len(times) / sum(times),
        'peakAllocatedBytes': torch.cuda.max_memory_allocated(),
        'peakReservedBytes': torch.cuda.max_memory_reserved(),
        'nLoraParams': n_lora,
    }
    text = json.dumps(res)
    if a.out:
        with open(a.out, 'w') as f:
            f.write(text)
    else:
        print(text)


if __name__ == '__main__':
    main()
