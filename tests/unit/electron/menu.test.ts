import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { buildMenuTemplate } from '../../../src/main/electron/menu';

function roles(items: MenuItemConstructorOptions[]): string[] {
  return items.flatMap((item) => [
    ...(item.role ? [item.role] : []),
    ...(Array.isArray(item.submenu) ? roles(item.submenu) : []),
  ]);
}
const actions = { openDataFolder: vi.fn(), showAbout: vi.fn() };

describe('buildMenuTemplate', () => {
  it('has File, Edit, View, Window and Help on Windows and Linux', () => {
    const menu = buildMenuTemplate({ platform: 'linux', isDev: false, ...actions });
    expect(menu.map((item) => item.label ?? item.role)).toEqual(['File', 'Edit', 'View', 'Window', 'help']);
    expect(roles(menu)).toContain('quit');
  });

  it('puts the app menu first on macOS', () => {
    const menu = buildMenuTemplate({ platform: 'darwin', isDev: false, ...actions });
    expect(menu[0]?.label).toBe('Lathe');
    expect(roles(menu.slice(0, 1))).toEqual(expect.arrayContaining(['hide', 'quit']));
  });

  it('offers reload and developer tools only in development', () => {
    const dev = ['reload', 'forceReload', 'toggleDevTools'];
    expect(roles(buildMenuTemplate({ platform: 'linux', isDev: true, ...actions }))).toEqual(
      expect.arrayContaining(dev),
    );
    const packaged = roles(buildMenuTemplate({ platform: 'linux', isDev: false, ...actions }));
    for (const role of dev) expect(packaged).not.toContain(role);
  });

  it('wires Show Data Folder and About to their actions', () => {
    const menu = buildMenuTemplate({ platform: 'win32', isDev: false, ...actions });
    const items = menu.flatMap((item) => (Array.isArray(item.submenu) ? item.submenu : []));
    const click = (label: string) => {
      const item = items.find((i) => i.label === label);
      (item?.click as (() => void) | undefined)?.();
    };
    click('Show Data Folder');
    click('About Lathe');
    expect(actions.openDataFolder).toHaveBeenCalledOnce();
    expect(actions.showAbout).toHaveBeenCalledOnce();
  });
});
