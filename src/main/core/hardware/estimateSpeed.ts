import type { GpuType } from '../../../shared/domain';

/**
 * Effective memory bandwidth, bytes/s, as a low..high range typical of each backend. Token
 * generation reads every weight once per token, so bandwidth / bytes-per-token bounds the speed.
 * These are assumptions about common hardware, not measurements of this machine.
 */
export const typicalBandwidth: Record<GpuType | 'cpu', { low: number; high: number }> = {
  cpu: { low: 20e9, high: 60e9 },
  cuda: { low: 250e9, high: 1000e9 },
  vulkan: { low: 150e9, high: 500e9 },
  metal: { low: 100e9, high: 400e9 },
  none: { low: 20e9, high: 60e9 },
};

/** Share of the bandwidth bound that llama.cpp reaches in practice. */
const efficiency = 0.6;

/**
 * A rough tokens/s range for generating with a dense model of `modelBytes`, `gpuFraction` of it
 * (0..1, by layers) in GPU memory. The slow part dominates: time per token is the sum of reading
 * the GPU share at GPU speed and the rest at CPU speed.
 */
export function estimateTokensPerSecond(
  modelBytes: number,
  gpu: GpuType,
  gpuFraction: number,
): { low: number; high: number; basis: string } {
  const cpu = typicalBandwidth.cpu;
  const device = typicalBandwidth[gpu];
  const share = gpu === 'none' ? 0 : Math.min(1, Math.max(0, gpuFraction));
  const rate = (cpuBw: number, gpuBw: number) => {
    const seconds = (modelBytes * share) / gpuBw + (modelBytes * (1 - share)) / cpuBw;
    return seconds > 0 ? efficiency / seconds : 0;
  };
  const where = share >= 1 ? `${gpu.toUpperCase()} GPU` : share > 0 ? `CPU and ${gpu.toUpperCase()} GPU` : 'CPU';
  const bw = (n: number) => `${Math.round(n / 1e9)}`;
  return {
    low: round(rate(cpu.low, device.low)),
    high: round(rate(cpu.high, device.high)),
    basis:
      `Estimate: ${(modelBytes / 1e9).toFixed(2)} GB of weights read per token on the ${where}, assuming ` +
      (share > 0 ? `${bw(device.low)}–${bw(device.high)} GB/s GPU and ` : '') +
      `${bw(cpu.low)}–${bw(cpu.high)} GB/s CPU memory bandwidth; real speed varies.`,
  };
}

function round(value: number): number {
  return value >= 100 ? Math.round(value) : Math.round(value * 10) / 10;
}
