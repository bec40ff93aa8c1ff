import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';

/** A rectangle in screen DIPs, as Electron reports window bounds and display work areas. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The part of Electron's `Display` that restoring bounds needs. */
export interface DisplayLike {
  workArea: Rect;
}

export interface WindowState {
  /** The normal (not maximized) bounds. */
  bounds: Rect;
  isMaximized: boolean;
}

/** Size of a first window, shrunk to fit small screens. */
export const defaultWindowSize = { width: 1280, height: 820 } as const;
/** Smallest size the layout supports; also the window's minimum size. */
export const minWindowSize = { width: 800, height: 560 } as const;

const coordinate = z.number().finite().min(-1_000_000).max(1_000_000);
const length = z.number().finite().min(1).max(1_000_000);
const windowStateSchema = z.object({
  bounds: z.object({ x: coordinate, y: coordinate, width: length, height: length }),
  isMaximized: z.boolean(),
});

/** Validates a parsed JSON value; anything malformed is null (the window opens at the default). */
export function parseWindowState(value: unknown): WindowState | null {
  const parsed = windowStateSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** Reads a saved state; a missing, unreadable or invalid file gives null. */
export function readWindowState(file: string): WindowState | null {
  try {
    return parseWindowState(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return null;
  }
}

/** Writes the state atomically, so a crash mid-write never leaves a half file. */
export function writeWindowState(file: string, state: WindowState): void {
  const partial = `${file}.partial`;
  writeFileSync(partial, `${JSON.stringify(state)}\n`);
  renameSync(partial, file);
}

/**
 * Bounds to open the window with: the saved ones moved and shrunk as little as needed to lie
 * wholly inside the work area of the display they overlap most, or centred on the primary display
 * when they overlap none (a monitor was unplugged) or nothing was saved. Results are whole DIPs.
 */
export function restoreWindowState(
  saved: WindowState | null,
  displays: readonly DisplayLike[],
  primary: DisplayLike,
): WindowState {
  const target = saved ? mostOverlapping(saved.bounds, displays) : null;
  if (!saved || !target) {
    const area = primary.workArea;
    const width = Math.min(defaultWindowSize.width, area.width);
    const height = Math.min(defaultWindowSize.height, area.height);
    const bounds = { x: area.x + (area.width - width) / 2, y: area.y + (area.height - height) / 2, width, height };
    return { bounds: roundRect(bounds), isMaximized: saved?.isMaximized ?? false };
  }
  const area = target.workArea;
  const width = clamp(saved.bounds.width, Math.min(minWindowSize.width, area.width), area.width);
  const height = clamp(saved.bounds.height, Math.min(minWindowSize.height, area.height), area.height);
  const x = clamp(saved.bounds.x, area.x, area.x + area.width - width);
  const y = clamp(saved.bounds.y, area.y, area.y + area.height - height);
  return { bounds: roundRect({ x, y, width, height }), isMaximized: saved.isMaximized };
}

function mostOverlapping(bounds: Rect, displays: readonly DisplayLike[]): DisplayLike | null {
  let best: DisplayLike | null = null;
  let bestArea = 0;
  for (const display of displays) {
    const area = overlapArea(bounds, display.workArea);
    if (area > bestArea) {
      best = display;
      bestArea = area;
    }
  }
  return best;
}

function overlapArea(a: Rect, b: Rect): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return width > 0 && height > 0 ? width * height : 0;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}

function roundRect({ x, y, width, height }: Rect): Rect {
  return { x: Math.round(x), y: Math.round(y), width: Math.floor(width), height: Math.floor(height) };
}
