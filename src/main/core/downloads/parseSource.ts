import { splitGgufName, splitPartName } from '../models/ggufParts';
import { AppError } from '../../../shared/errors';

/** A download source, parsed (see `models.download`). */
export type DownloadSource =
  | { kind: 'hf-file'; repo: string; path: string; branch: string }
  | { kind: 'hf-quant'; repo: string; quant: string; branch: string }
  | { kind: 'url'; url: string; sha256: string | null };

const sha256Hex = /^[0-9a-f]{64}$/i;

/**
 * Parses `hf:<user>/<repo>/<path.gguf>[#branch]`, `hf:<user>/<repo>:<quant>[#branch]` or an http(s)
 * URL with an optional `#sha256=<hex>` fragment. Throws INVALID_INPUT otherwise.
 */
export function parseSource(source: string): DownloadSource {
  const text = source.trim();
  if (/^hf:/i.test(text)) {
    const [body = '', branch = 'main'] = text.slice(3).split('#', 2);
    const quant = /^([\w.-]+\/[\w.-]+):([\w.-]+)$/.exec(body);
    if (quant) return { kind: 'hf-quant', repo: quant[1] as string, quant: quant[2] as string, branch };
    const file = /^([\w.-]+\/[\w.-]+)\/(.+\.gguf)$/i.exec(body);
    if (file && !file[2]?.split('/').some((part) => part === '..' || part === '.' || part === '')) {
      return { kind: 'hf-file', repo: file[1] as string, path: file[2] as string, branch };
    }
    throw new AppError('INVALID_INPUT', `"${text}" is not hf:<user>/<repo>/<file.gguf> or hf:<user>/<repo>:<quant>.`);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new AppError('INVALID_INPUT', `"${text}" is not a valid URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new AppError('INVALID_INPUT', `Only http and https URLs can be downloaded; got ${url.protocol}.`);
  }
  const fragment = new URLSearchParams(url.hash.slice(1)).get('sha256');
  if (fragment !== null && !sha256Hex.test(fragment)) {
    throw new AppError('INVALID_INPUT', 'The #sha256= fragment must be 64 hexadecimal digits.');
  }
  url.hash = '';
  return { kind: 'url', url: url.toString(), sha256: fragment?.toLowerCase() ?? null };
}

/** The URL of a file in a Hugging Face repository (`<endpoint>/<repo>/resolve/<branch>/<path>`). */
export function hfFileUrl(endpoint: string, repo: string, branch: string, path: string): string {
  const encoded = path.split('/').map(encodeURIComponent).join('/');
  return `${endpoint.replace(/\/+$/, '')}/${repo}/resolve/${encodeURIComponent(branch)}/${encoded}`;
}

/** A file as listed by the Hugging Face tree API. */
export interface HfTreeFile {
  path: string;
  size?: number;
  lfs?: { oid?: string; size?: number };
}

/**
 * Picks the GGUF of a quantization from a repository listing: names containing `quant` as a whole
 * token (case-insensitive), not a projector (`mmproj`). Answers the file; every part, in order, when
 * only a split GGUF has it (`…-00001-of-00003.gguf`, all parts listed); or null with the
 * quantizations that exist.
 */
export function pickQuantFile(
  files: readonly HfTreeFile[],
  quant: string,
): { file: HfTreeFile } | { split: HfTreeFile[] } | { file: null; available: string[] } {
  const ggufs = files.filter((f) => /\.gguf$/i.test(f.path) && !/mmproj/i.test(f.path));
  const token = new RegExp(`(^|[^a-z0-9])${quant.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^a-z0-9]|$)`, 'i');
  const matching = ggufs.filter((f) => token.test(basenameOf(f.path).replace(/\.gguf$/i, '')));
  const whole = matching
    .filter((f) => !splitGgufName(basenameOf(f.path)))
    .sort((a, b) => a.path.length - b.path.length);
  if (whole[0]) return { file: whole[0] };
  for (const f of matching) {
    const split = splitGgufName(basenameOf(f.path));
    if (!split) continue;
    const folder = f.path.slice(0, f.path.length - basenameOf(f.path).length);
    const parts = Array.from({ length: split.count }, (_, i) =>
      files.find((g) => g.path === `${folder}${splitPartName(split.prefix, i + 1, split.count)}`),
    );
    if (parts.every((p): p is HfTreeFile => p !== undefined)) return { split: parts };
  }
  const available = new Set<string>();
  for (const f of ggufs) {
    const q = /(?:^|[-_.])((?:I?Q\d[\w]*?)|F16|BF16|F32)(?:-\d{5}-of-\d{5})?\.gguf$/i.exec(basenameOf(f.path));
    if (q?.[1]) available.add(q[1].toUpperCase());
  }
  return { file: null, available: [...available].sort() };
}

/** A SHA-256 published in a header or a `.sha256` file: the first 64-hex token, lowercase. */
export function parseSha256(text: string | null | undefined): string | null {
  if (!text) return null;
  const match = /(?:^|[^0-9a-f])([0-9a-f]{64})(?:[^0-9a-f]|$)/i.exec(text.replace(/^W\//, ''));
  return match?.[1]?.toLowerCase() ?? null;
}

/** A safe file name for the models folder: no folders, no control characters, ends with `.gguf`. */
export function safeFileName(name: string): string {
  const base = [...basenameOf(name)]
    .map((c) => (c.charCodeAt(0) < 0x20 || '<>:"/\\|?*'.includes(c) ? '_' : c))
    .join('')
    .replace(/^\.+/, '')
    .trim()
    .slice(0, 200);
  const stem = base.replace(/\.gguf$/i, '') || 'model';
  return `${stem}.gguf`;
}

function basenameOf(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}
