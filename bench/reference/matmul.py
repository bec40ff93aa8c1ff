#!/usr/bin/env python3
"""The machine's F32 matrix-multiply rate for `npm run bench`: square sgemm (C = A @ B) through
numpy and through torch, both on OpenBLAS, on `--threads` threads. One measurement = for each size
and library, the best of `--reps` timed repetitions (after one warmup), in GFLOP/s (2 n^3 per
product). Alone, it measures once and writes one JSON object to `--out` (or stdout); with `--serve`
it measures once per `step` line on stdin (the bench's lockstep protocol, as in lora_pytorch.py)."""
import argparse
import json
import os
import sys
import time


def vm_hwm_bytes():
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) * 1024
    return None


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--sizes', default='2048,4096')
    p.add_argument('--reps', type=int, default=3)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--out')
    p.add_argument('--serve', action='store_true')
    a = p.parse_args()

    import numpy as np

    try:
        import torch

        torch.set_num_threads(a.threads)
    except ImportError:
        torch = None
    try:
        from threadpoolctl import threadpool_info, threadpool_limits

        threadpool_limits(a.threads, user_api='blas')
        blas = [x for x in threadpool_info() if x.get('user_api') == 'blas']
    except ImportError:
        blas = []

    rng = np.random.default_rng(1)
    cases = []
    for n in (int(s) for s in a.sizes.split(',')):
        A = rng.random((n, n), dtype=np.float32)
        B = rng.random((n, n), dtype=np.float32)
        cases.append(('numpy', n, lambda A=A, B=B: A @ B))
        if torch is not None:
            tA, tB = torch.from_numpy(A), torch.from_numpy(B)
            cases.append(('torch', n, lambda tA=tA, tB=tB: torch.mm(tA, tB)))

    def measure():
        runs = []
        t0 = time.perf_counter()
        for name, n, f in cases:
            f()
            times = []
            for _ in range(a.reps):
                t = time.perf_counter()
                f()
                times.append(time.perf_counter() - t)
            runs.append({'lib': name, 'n': n, 'gflops': 2 * n**3 / min(times) / 1e9})
        best = max(runs, key=lambda r: r['gflops'])
        text = ', '.join(f"{r['lib']} {r['n']}: {r['gflops']:.0f}" for r in runs)
        print(f'[matmul] GFLOP/s {text}', file=sys.stderr, flush=True)
        return {'runs': runs, 'gflops': best['gflops'], 'seconds': time.perf_counter() - t0}

    meta = {
        'numpy': np.__version__,
        'torch': torch.__version__ if torch is not None else None,
        'openblasCoretypeEnv': os.environ.get('OPENBLAS_CORETYPE'),
        'blas': blas[0] if blas else None,
    }
    if a.serve:

        def say(obj):
            sys.stdout.write('@bench ' + json.dumps(obj) + '\n')
            sys.stdout.flush()

        say({'ready': meta})
        for line in sys.stdin:
            cmd = line.strip()
            if cmd == 'step':
                say({'step': measure()})
            elif cmd == 'finish':
                say({'finish': {'peakRssBytes': vm_hwm_bytes()}})
                return
        return

    text = json.dumps({**measure(), **meta})
    if a.out:
        with open(a.out, 'w') as f:
            f.write(text)
    else:
        print(text)


if __name__ == '__main__':
    main()
