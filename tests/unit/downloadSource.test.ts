import { describe, expect, it } from 'vitest';
import { downloadMessage, formatDuration, SpeedMeter } from '../../src/main/core/downloads/downloadProgress';
import {
  hfFileUrl,
  parseSha256,
  parseSource,
  pickQuantFile,
  safeFileName,
} from '../../src/main/core/downloads/parseSource';
import { estimateTokensPerSecond } from '../../src/main/core/hardware/estimateSpeed';

describe('parseSource', () => {
  it('parses the three source forms', () => {
    expect(parseSource('hf:Qwen/Qwen3-1.7B-GGUF:Q4_K_M')).toEqual({
      kind: 'hf-quant',
      repo: 'Qwen/Qwen3-1.7B-GGUF',
      quant: 'Q4_K_M',
      branch: 'main',
    });
    expect(parseSource('hf:user/repo/sub/model-Q8_0.gguf#dev')).toEqual({
      kind: 'hf-file',
      repo: 'user/repo',
      path: 'sub/model-Q8_0.gguf',
      branch: 'dev',
    });
    expect(parseSource(`https://example.com/m.gguf?x=1#sha256=${'AB'.repeat(32)}`)).toEqual({
      kind: 'url',
      url: 'https://example.com/m.gguf?x=1',
      sha256: 'ab'.repeat(32),
    });
  });

  it('refuses other schemes, path tricks and malformed checksums', () => {
    for (const bad of ['ftp://x/m.gguf', 'hf:user/repo', 'hf:u/r/../m.gguf', 'https://x/m.gguf#sha256=12', 'nope']) {
      expect(() => parseSource(bad), bad).toThrow();
    }
  });
});

describe('pickQuantFile', () => {
  const files = [
    { path: 'README.md' },
    { path: 'Model-Q4_K_M.gguf' },
    { path: 'Model-Q4_K_S.gguf' },
    { path: 'mmproj-Model-F16.gguf' },
    { path: 'Model-F16.gguf' },
    { path: 'big/Model-Q8_0-00001-of-00002.gguf' },
    { path: 'big/Model-Q8_0-00002-of-00002.gguf' },
  ];
  it('matches the quantization as a whole token, case-insensitively, skipping projectors', () => {
    expect(pickQuantFile(files, 'q4_k_m')).toEqual({ file: { path: 'Model-Q4_K_M.gguf' } });
    expect(pickQuantFile(files, 'F16')).toEqual({ file: { path: 'Model-F16.gguf' } });
  });
  it('answers every part of a split GGUF in order, and what exists', () => {
    expect(pickQuantFile([...files].reverse(), 'Q8_0')).toEqual({
      split: [{ path: 'big/Model-Q8_0-00001-of-00002.gguf' }, { path: 'big/Model-Q8_0-00002-of-00002.gguf' }],
    });
    expect(pickQuantFile(files, 'Q2_K')).toEqual({ file: null, available: ['F16', 'Q4_K_M', 'Q4_K_S', 'Q8_0'] });
  });
  it('skips a split GGUF with a part missing from the listing', () => {
    const incomplete = files.filter((f) => !f.path.includes('00002-of'));
    expect(pickQuantFile(incomplete, 'Q8_0')).toEqual({ file: null, available: ['F16', 'Q4_K_M', 'Q4_K_S', 'Q8_0'] });
  });
});

describe('helpers', () => {
  it('builds hub URLs and safe names, and reads published checksums', () => {
    expect(hfFileUrl('https://hf.example/', 'u/r', 'main', 'a b/m.gguf')).toBe(
      'https://hf.example/u/r/resolve/main/a%20b/m.gguf',
    );
    expect(safeFileName('../../etc/passwd')).toBe('passwd.gguf');
    expect(safeFileName('...')).toBe('model.gguf');
    expect(parseSha256(`"${'c'.repeat(64)}"`)).toBe('c'.repeat(64));
    expect(parseSha256('da39a3ee5e6b4b0d3255bfef95601890afd80709')).toBeNull();
  });

  it('measures speed over a window and words the progress', () => {
    const meter = new SpeedMeter(1000);
    meter.add(0, 0);
    meter.add(500, 5e6);
    meter.add(1000, 10e6);
    expect(meter.bytesPerSecond()).toBeCloseTo(10e6);
    expect(downloadMessage(1e9, 2.5e9, 10e6)).toBe('Downloading 1.00 GB of 2.50 GB · 10.0 MB/s · 3 min left');
    expect(formatDuration(4000)).toBe('1 h 7 min');
  });

  it('estimates a faster speed on the GPU than on the CPU, and a slower one for a bigger model', () => {
    const cpu = estimateTokensPerSecond(2e9, 'none', 1);
    const gpu = estimateTokensPerSecond(2e9, 'cuda', 1);
    const partial = estimateTokensPerSecond(2e9, 'cuda', 0.5);
    expect(gpu.low).toBeGreaterThan(partial.low);
    expect(partial.low).toBeGreaterThan(cpu.low);
    expect(estimateTokensPerSecond(8e9, 'none', 0).high).toBeLessThan(cpu.high);
    expect(cpu.basis).toMatch(/^Estimate/);
  });
});
