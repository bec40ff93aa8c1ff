import type { HandlerMap } from '../dispatch';
import type { DownloadService } from './DownloadService';

export function downloadHandlers(
  downloads: DownloadService,
): HandlerMap<'models.download' | 'models.downloadResume' | 'models.downloadDiscard' | 'models.catalog'> {
  return {
    'models.download': (input) => downloads.download(input),
    'models.downloadResume': ({ jobId }) => downloads.resume(jobId),
    'models.downloadDiscard': ({ jobId }) => downloads.discard(jobId),
    'models.catalog': () => downloads.catalog(),
  };
}
