import { cn } from '@renderer/lib/cn';

/** The Lathe logo: a turned profile on a rounded tile. */
export function LatheMark({ className }: { className?: string }) {
  return (
    <svg viewBox="0 0 32 32" aria-hidden className={cn('shrink-0', className)}>
      <defs>
        <linearGradient id="lathe-mark" x1="0" y1="0" x2="1" y2="1">
          <stop offset="0" stopColor="oklch(0.62 0.2 276)" />
          <stop offset="1" stopColor="oklch(0.5 0.22 300)" />
        </linearGradient>
      </defs>
      <rect width="32" height="32" rx="8" fill="url(#lathe-mark)" />
      <path
        d="M9 9.5h14M11 9.5c0 3 2.2 3.6 2.2 6.5S11 19.5 11 22.5M21 9.5c0 3-2.2 3.6-2.2 6.5s2.2 3.5 2.2 6.5M9 22.5h14"
        fill="none"
        stroke="white"
        strokeWidth="2"
        strokeLinecap="round"
      />
    </svg>
  );
}
