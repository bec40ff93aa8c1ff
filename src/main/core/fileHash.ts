import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/**
 * SHA-256 of a file, streamed (models are gigabytes). `onProgress` gets the fraction read, 0..1.
 * Rejects with the signal's reason when aborted.
 */
export async function sha256File(
  path: string,
  options: { signal?: AbortSignal; onProgress?: (fraction: number) => void; size?: number } = {},
): Promise<string> {
  const hash = createHash('sha256');
  const stream = createReadStream(path, {
    highWaterMark: 4 * 1024 * 1024,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  let read = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    read += (chunk as Buffer).length;
    if (options.size) options.onProgress?.(read / options.size);
  }
  return hash.digest('hex');
}

/**
 * SHA-256 of files read one after the other, as if they were one (a split model's parts, in
 * order); for a single file the same as `sha256File`. `size` is their total.
 */
export async function sha256Files(
  paths: readonly string[],
  options: { signal?: AbortSignal; onProgress?: (fraction: number) => void; size?: number } = {},
): Promise<string> {
  const hash = createHash('sha256');
  let read = 0;
  for (const path of paths) {
    const stream = createReadStream(path, {
      highWaterMark: 4 * 1024 * 1024,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    for await (const chunk of stream) {
      hash.update(chunk as Buffer);
      read += (chunk as Buffer).length;
      if (options.size) options.onProgress?.(read / options.size);
    }
  }
  return hash.digest('hex');
}
