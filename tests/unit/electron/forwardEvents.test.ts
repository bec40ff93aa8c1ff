import { describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/main/core/EventBus';
import { forwardEvents, type WebContentsLike } from '../../../src/main/electron/forwardEvents';
import { ipcChannels } from '../../../src/shared/contract';

class FakeContents implements WebContentsLike {
  readonly sent: unknown[][] = [];
  constructor(
    private destroyed = false,
    private readonly fails = false,
  ) {}
  isDestroyed(): boolean {
    return this.destroyed;
  }
  send(channel: string, ...args: unknown[]): void {
    if (this.fails) throw new Error('Object has been destroyed');
    this.sent.push([channel, ...args]);
  }
  destroy(): void {
    this.destroyed = true;
  }
}

const settings = { theme: 'dark', modelsDir: '/models', huggingFaceTokenSet: false } as const;

describe('forwardEvents', () => {
  it('sends each event as (name, payload) to every live window, skipping destroyed ones', () => {
    const events = new EventBus();
    const windows = [new FakeContents(), new FakeContents(false, true), new FakeContents(true), new FakeContents()];
    forwardEvents(events, () => windows);
    events.emit('settings.changed', settings);
    expect(windows[0]?.sent).toEqual([[ipcChannels.event, 'settings.changed', settings]]);
    expect(windows[2]?.sent).toEqual([]);
    // The window after one whose send throws still gets the event.
    expect(windows[3]?.sent).toEqual([[ipcChannels.event, 'settings.changed', settings]]);
  });

  it('asks for the windows on each event, and stops when unsubscribed', () => {
    const events = new EventBus();
    const windows: FakeContents[] = [];
    const stop = forwardEvents(events, () => windows);
    const late = new FakeContents();
    windows.push(late);
    events.emit('settings.changed', settings);
    late.destroy();
    events.emit('settings.changed', settings);
    windows.push(new FakeContents());
    stop();
    events.emit('settings.changed', settings);
    expect(late.sent).toHaveLength(1);
    expect(windows[1]?.sent).toEqual([]);
  });
});
