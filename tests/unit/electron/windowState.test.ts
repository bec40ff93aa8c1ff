import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  defaultWindowSize,
  minWindowSize,
  parseWindowState,
  readWindowState,
  restoreWindowState,
  writeWindowState,
  type DisplayLike,
  type WindowState,
} from '../../../src/main/electron/windowState';
import { tempDir } from '../../helpers/tempDir';

const laptop: DisplayLike = { workArea: { x: 0, y: 25, width: 1440, height: 875 } };
const external: DisplayLike = { workArea: { x: 1440, y: 0, width: 2560, height: 1400 } };
const tiny: DisplayLike = { workArea: { x: 0, y: 0, width: 640, height: 480 } };

const state = (x: number, y: number, width: number, height: number, isMaximized = false): WindowState => ({
  bounds: { x, y, width, height },
  isMaximized,
});

describe('parseWindowState', () => {
  it('accepts a well-formed state', () => {
    expect(parseWindowState(state(10, 20, 1000, 700, true))).toEqual(state(10, 20, 1000, 700, true));
  });

  it.each([
    ['null', null],
    ['a string', 'maximized'],
    ['missing bounds', { isMaximized: false }],
    ['a string coordinate', { bounds: { x: '1', y: 0, width: 800, height: 600 }, isMaximized: false }],
    ['a zero width', state(0, 0, 0, 600)],
    ['a negative height', state(0, 0, 800, -1)],
    ['an absurd position', state(1e12, 0, 800, 600)],
    ['a non-boolean isMaximized', { bounds: { x: 0, y: 0, width: 800, height: 600 }, isMaximized: 1 }],
  ])('rejects %s', (_name, value) => {
    expect(parseWindowState(value)).toBeNull();
  });
});

describe('readWindowState / writeWindowState', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => (dir = tempDir('lathe-window-')));
  afterEach(() => dir.remove());

  it('round-trips through a real file', () => {
    const file = join(dir.path, 'window-state.json');
    writeWindowState(file, state(5, 6, 900, 700, true));
    expect(readWindowState(file)).toEqual(state(5, 6, 900, 700, true));
  });

  it('reads a missing, truncated or invalid file as null', () => {
    expect(readWindowState(join(dir.path, 'missing.json'))).toBeNull();
    const file = join(dir.path, 'bad.json');
    writeFileSync(file, '{"bounds": {"x": 1');
    expect(readWindowState(file)).toBeNull();
    writeFileSync(file, JSON.stringify(state(0, 0, -5, 600)));
    expect(readWindowState(file)).toBeNull();
  });
});

describe('restoreWindowState', () => {
  it('centres a default-sized window on the primary display when nothing was saved', () => {
    expect(restoreWindowState(null, [laptop, external], laptop)).toEqual({
      bounds: { x: 80, y: 53, width: defaultWindowSize.width, height: defaultWindowSize.height },
      isMaximized: false,
    });
  });

  it('keeps bounds that are fully visible', () => {
    const saved = state(1600, 100, 1200, 900, true);
    expect(restoreWindowState(saved, [laptop, external], laptop)).toEqual(saved);
  });

  it('moves a window hanging off the edge back inside its display', () => {
    expect(restoreWindowState(state(1000, -50, 800, 600), [laptop], laptop).bounds).toEqual({
      x: 640,
      y: 25,
      width: 800,
      height: 600,
    });
  });

  it('chooses the display the window overlaps most', () => {
    // Mostly on the external display: clamped into it, not onto the laptop.
    const restored = restoreWindowState(state(1300, 100, 1000, 700), [laptop, external], laptop);
    expect(restored.bounds).toEqual({ x: 1440, y: 100, width: 1000, height: 700 });
  });

  it('recentres on the primary display a window whose display was unplugged, keeping maximized', () => {
    const restored = restoreWindowState(state(2000, 200, 1200, 800, true), [laptop], laptop);
    expect(restored.isMaximized).toBe(true);
    expect(restored.bounds).toEqual({ x: 80, y: 53, width: 1280, height: 820 });
  });

  it('shrinks a window larger than its display, but not below the minimum size', () => {
    expect(restoreWindowState(state(0, 25, 5000, 3000), [laptop], laptop).bounds).toEqual({
      x: 0,
      y: 25,
      width: 1440,
      height: 875,
    });
    expect(restoreWindowState(state(0, 25, 300, 200), [laptop], laptop).bounds).toMatchObject(minWindowSize);
  });

  it('fits a screen smaller than the minimum size', () => {
    expect(restoreWindowState(state(0, 0, 1000, 800), [tiny], tiny).bounds).toEqual({
      x: 0,
      y: 0,
      width: 640,
      height: 480,
    });
    expect(restoreWindowState(null, [tiny], tiny).bounds).toEqual({ x: 0, y: 0, width: 640, height: 480 });
  });

  it('returns whole numbers for fractional (scaled) bounds', () => {
    const { bounds } = restoreWindowState(state(100.4, 200.6, 900.7, 700.2), [laptop], laptop);
    expect(Object.values(bounds).every(Number.isInteger)).toBe(true);
  });
});
