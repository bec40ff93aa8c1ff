import type { DesktopFiles } from '@shared/contract';

/** Whether a drag carries files (not text or a link), so a drop zone lights up only for those. */
export function dragHasFiles(dataTransfer: DataTransfer | null): boolean {
  return dataTransfer !== null && Array.from(dataTransfer.types).includes('Files');
}

/**
 * The path on disk of the one file in a drop. Only the desktop app can know it; a browser never
 * tells a page where a dropped file lives, so browser mode answers why instead.
 */
export function droppedPath(
  files: DesktopFiles | null,
  dataTransfer: DataTransfer,
): { path: string } | { error: string } {
  const dropped = Array.from(dataTransfer.files);
  if (dropped.length === 0) return { error: 'Drop a file from your file manager.' };
  if (dropped.length > 1) return { error: `Drop one file at a time (got ${dropped.length}).` };
  if (!files) {
    return {
      error:
        'In browser mode a dropped file has no path Lathe can use: type the path of the file on the machine running the Lathe server.',
    };
  }
  const path = files.pathForFile(dropped[0]);
  return path ? { path } : { error: 'That item is not a file on this computer.' };
}
