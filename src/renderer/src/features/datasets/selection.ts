/**
 * Which examples are selected in the list, as the person clicks: a plain click (with `replace`)
 * picks one, Ctrl/Cmd-click toggles one, Shift-click takes the range from the anchor (added to the
 * selection when Ctrl/Cmd is held too). Ranges are given as ids because rows load page by page.
 */
export interface Selection {
  ids: ReadonlySet<string>;
  /** The row index a Shift-click range starts from; null before the first click. */
  anchor: number | null;
}

export const emptySelection: Selection = { ids: new Set(), anchor: null };

export interface SelectClick {
  index: number;
  id: string;
  shift: boolean;
  /** Ctrl (or ⌘ on macOS), or a click on the row's checkbox. */
  toggle: boolean;
  /** Shift only: the ids of rows anchor..index (either order), as loaded. */
  rangeIds?: readonly string[];
}

/** The selection after one click. */
export function applyClick(selection: Selection, click: SelectClick): Selection {
  if (click.shift && selection.anchor !== null && click.rangeIds) {
    const ids = click.toggle ? new Set(selection.ids) : new Set<string>();
    for (const id of click.rangeIds) ids.add(id);
    return { ids, anchor: selection.anchor };
  }
  if (click.toggle) {
    const ids = new Set(selection.ids);
    if (ids.has(click.id)) ids.delete(click.id);
    else ids.add(click.id);
    return { ids, anchor: click.index };
  }
  return { ids: new Set([click.id]), anchor: click.index };
}

/** The inclusive row range a Shift-click covers, low to high. */
export function clickRange(anchor: number, index: number): [number, number] {
  return anchor <= index ? [anchor, index] : [index, anchor];
}
