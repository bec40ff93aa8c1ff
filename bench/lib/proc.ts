import { readFileSync } from 'node:fs';

/** Peak resident set size (VmHWM) of `pid` (default: this process), in bytes; null off Linux. */
export function vmHwmBytes(pid: number | 'self' = 'self'): number | null {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** The 1-minute load average (Linux), or null. */
export function loadAverage(): number | null {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    return null;
  }
}
