import type { HygieneExample, SensitiveFinding, SensitiveKind } from './types';

/** Facts about a text that several detectors' hints share, computed once per text. */
interface TextFeatures {
  digit: boolean;
  lower: string;
}

interface Detector {
  kind: SensitiveKind;
  label: string;
  /** Global regex; the match (or group 1 when present) is what gets masked. */
  pattern: RegExp;
  /** A cheap test on the whole text before the regex runs (most texts hold no candidates). */
  hint?: (text: string, features: TextFeatures) => boolean;
  /** A second look at a match, to keep false positives low. */
  accept?: (match: string, text: string, index: number) => boolean;
}

/** Bits of entropy per character of a string's character distribution. */
function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

const placeholder =
  /x{4,}|\*{3,}|\.{3}|your|example|here|dummy|fake|sample|placeholder|redacted|changeme|abcdef|123456/i;

/** Random-looking: long, no placeholder words, letters and digits mixed, high entropy. */
function looksRandom(s: string, minLength = 16): boolean {
  if (s.length < minLength || placeholder.test(s)) return false;
  if (!/[0-9]/.test(s) || !/[A-Za-z]/.test(s)) return false;
  return entropy(s) >= 3.2;
}

/** Luhn checksum of a digit string. */
export function luhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Issuer prefixes of the card networks (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay). */
const cardPrefix = /^(?:4|5[1-5]|2[2-7]|3[47]|6011|65|64[4-9]|35|30[0-5]|36|38|62)/;

/** Public IPv4 only: private, loopback, link-local, documentation and broadcast ranges are not personal. */
function publicIpv4(ip: string): boolean {
  const [a, b, c] = ip.split('.').map(Number) as [number, number, number, number];
  if (a === 0 || a === 10 || a === 127 || a >= 224) return false;
  if (a === 169 && b === 254) return false;
  if (a === 172 && b >= 16 && b <= 31) return false;
  if (a === 192 && b === 168) return false;
  if (a === 100 && b >= 64 && b <= 127) return false;
  if ((a === 192 && b === 0 && c === 2) || (a === 198 && b === 51 && c === 100) || (a === 203 && b === 0 && c === 113))
    return false;
  // Version-like dotted numbers ("1.2.3.4") are far more common in text than such short addresses.
  return ip.replaceAll('.', '').length >= 7;
}

const reservedEmailDomain = /(?:^|\.)(?:example\.(?:com|org|net)|test|invalid|localhost|local|example)$/i;
const fileExtensionTld = /\.(?:png|jpe?g|gif|svg|webp|css|js|ts|json|md|html?|py|txt|ico|bmp|tiff?|pdf)$/i;

const keyWithBody = (prefixLength: number) => (match: string) => looksRandom(match.slice(prefixLength), 16);

/**
 * Detectors in order; the first that claims a span wins (an OpenAI key is not also a "secret").
 * Patterns anchor on word boundaries and are followed by validators, so text about keys
 * ("set OPENAI_API_KEY", "sk-xxxx") and numbers in code or dates are not flagged.
 */
const detectors: Detector[] = [
  {
    kind: 'private_key',
    label: 'private key',
    pattern: /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY(?: BLOCK)?-----/g,
    hint: (t) => t.includes('-----BEGIN'),
  },
  {
    kind: 'api_key',
    label: 'Anthropic API key',
    pattern: /\bsk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{20,}/g,
    hint: (t) => t.includes('sk-ant-'),
    accept: keyWithBody(14),
  },
  {
    kind: 'api_key',
    label: 'OpenAI API key',
    pattern: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/g,
    hint: (t) => t.includes('sk-'),
    accept: (m) => looksRandom(m.replace(/^sk-(?:proj-|svcacct-|admin-)?/, ''), 20),
  },
  {
    kind: 'api_key',
    label: 'Hugging Face token',
    pattern: /\bhf_[A-Za-z0-9]{30,}\b/g,
    hint: (t) => t.includes('hf_'),
    accept: keyWithBody(3),
  },
  {
    kind: 'api_key',
    label: 'GitHub token',
    pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,})\b/g,
    hint: (t) => /gh[pousr]_|github_pat_/.test(t),
    accept: keyWithBody(4),
  },
  {
    kind: 'api_key',
    label: 'AWS access key ID',
    pattern: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}\b/g,
    hint: (t, f) => f.digit && /A(?:KIA|SIA|GPA|IDA|ROA)/.test(t),
    accept: (m) => !placeholder.test(m) && /[0-9]/.test(m.slice(4)) && entropy(m.slice(4)) >= 3,
  },
  {
    kind: 'api_key',
    label: 'Slack token',
    pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g,
    hint: (t) => t.includes('xox'),
    accept: keyWithBody(5),
  },
  {
    kind: 'api_key',
    label: 'Slack webhook',
    pattern: /https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]{20,}/g,
    hint: (t) => t.includes('hooks.slack.com'),
  },
  {
    kind: 'api_key',
    label: 'Google API key',
    pattern: /\bAIza[0-9A-Za-z_-]{35}\b/g,
    hint: (t) => t.includes('AIza'),
    accept: keyWithBody(4),
  },
  {
    kind: 'api_key',
    label: 'Stripe secret key',
    pattern: /\b[rs]k_live_[0-9A-Za-z]{20,}\b/g,
    hint: (t) => t.includes('k_live_'),
    accept: keyWithBody(8),
  },
  {
    kind: 'jwt',
    label: 'JSON web token',
    pattern: /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g,
    hint: (t) => t.includes('eyJ'),
  },
  {
    kind: 'secret',
    label: 'secret after a key name',
    // `api_key = "…"`, `token: …`, `"password": "…"`: group 1 is the value.
    pattern:
      /(?<![A-Za-z])(?:api[_-]?key|apikey|secret(?:[_-]?key)?|access[_-]?key|auth[_-]?token|access[_-]?token|token|password|passwd|client[_-]?secret)["']?\s*[:=]\s*["']?([A-Za-z0-9_\-+/=.]{16,})/gi,
    hint: (_, f) =>
      f.lower.includes('key') || f.lower.includes('secret') || f.lower.includes('token') || f.lower.includes('pass'),
    accept: (m) => looksRandom(m, 16),
  },
  {
    kind: 'email',
    label: 'email address',
    pattern:
      /\b[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24}\b/g,
    hint: (t) => t.includes('@'),
    accept: (m) => {
      const at = m.indexOf('@');
      const local = m.slice(0, at);
      const domain = m.slice(at + 1);
      return local !== 'git' && !reservedEmailDomain.test(domain) && !fileExtensionTld.test(m);
    },
  },
  {
    kind: 'credit_card',
    label: 'payment card number',
    // 13–19 digits, bare or in groups split by single spaces or dashes.
    pattern: /(?<![\d.,-])\d(?:[ -]?\d){12,18}(?![\d.,]?\d)/g,
    hint: (_, f) => f.digit,
    accept: (m) => {
      const digits = m.replace(/[ -]/g, '');
      if (digits.length < 13 || digits.length > 19 || !cardPrefix.test(digits) || !luhn(digits)) return false;
      if (/^(\d)\1+$/.test(digits)) return false;
      // Grouped numbers use one separator consistently.
      return !(m.includes(' ') && m.includes('-'));
    },
  },
  {
    kind: 'phone',
    label: 'phone number',
    // International (+ country code) or North American (NXX) NXX-XXXX with separators.
    pattern:
      /(?<![\w+.\-/])(?:\+[1-9]\d{0,2}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{2,4}){1,4}|(?:\([2-9]\d{2}\)\s?|[2-9]\d{2}[-. ])[2-9]\d{2}[-. ]\d{4})(?![\w.\-/]?\d)/g,
    hint: (_, f) => f.digit,
    accept: (m) => {
      const digits = m.replace(/\D/g, '').length;
      if (m.startsWith('+')) return digits >= 8 && digits <= 15;
      // "555.123.4567" style must use one separator; mixed ones are more often other numbers.
      const seps = new Set(m.replace(/[\d()]/g, '').replaceAll(' ', ''));
      return digits === 10 && seps.size <= 1;
    },
  },
  {
    kind: 'ip_address',
    label: 'public IP address',
    pattern: /(?<![\w.])(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}(?![\w]|\.\d)/g,
    hint: (t, f) => f.digit && t.includes('.'),
    accept: (m, text, index) => publicIpv4(m) && !/v(?:ersion)?\s*$/i.test(text.slice(Math.max(0, index - 8), index)),
  },
];

/** A match shown without revealing it: first 3 and last 2 characters, bullets between. */
export function mask(s: string): string {
  if (s.length <= 6) return '•'.repeat(s.length);
  return `${s.slice(0, 3)}${'•'.repeat(Math.min(12, s.length - 5))}${s.slice(-2)}`;
}

const contextChars = 24;

/** The span in context; every sensitive span of the text that shows in the excerpt is masked. */
function excerpt(text: string, spans: readonly { start: number; end: number }[], which: number): string {
  const { start, end } = spans[which]!;
  const from = Math.max(0, start - contextChars);
  const to = Math.min(text.length, end + contextChars);
  let out = '';
  let at = from;
  for (const span of spans) {
    if (span.end <= from || span.start >= to) continue;
    const s = Math.max(span.start, from);
    const e = Math.min(span.end, to);
    // A span cut by the excerpt's edge shows no characters at all.
    out +=
      text.slice(at, s) + (s > span.start || e < span.end ? '•'.repeat(Math.min(12, e - s)) : mask(text.slice(s, e)));
    at = Math.min(span.end, to);
  }
  out += text.slice(at, to);
  return `${from > 0 ? '…' : ''}${out.replace(/\s+/g, ' ')}${to < text.length ? '…' : ''}`;
}

/** Sensitive spans in one text, in order, without overlaps. */
export function scanText(text: string): { kind: SensitiveKind; label: string; start: number; end: number }[] {
  const found: { kind: SensitiveKind; label: string; start: number; end: number }[] = [];
  const taken = (start: number, end: number) => found.some((f) => start < f.end && end > f.start);
  const features: TextFeatures = { digit: /\d/.test(text), lower: text.toLowerCase() };
  for (const d of detectors) {
    if (d.hint && !d.hint(text, features)) continue;
    d.pattern.lastIndex = 0;
    for (let m = d.pattern.exec(text); m !== null; m = d.pattern.exec(text)) {
      const value = m[1] ?? m[0];
      const start = m.index + m[0].length - value.length;
      const end = start + value.length;
      if (taken(m.index, m.index + m[0].length)) continue;
      if (d.accept && !d.accept(value, text, start)) continue;
      found.push({ kind: d.kind, label: d.label, start, end });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

/**
 * Likely secrets and personal data, one finding per match, for review (never fixed automatically):
 * API keys of OpenAI, Anthropic, Hugging Face, GitHub, AWS, Slack, Google and Stripe, JWTs, PEM
 * private keys, random-looking values after `key=`/`token:`/`password:`, email addresses (not
 * example.com, *.test, `git@`), phone numbers (international `+…`, or North American with
 * separators), payment card numbers (network prefix and Luhn check) and public IPv4 addresses.
 * Excerpts are masked.
 */
export function findSensitive(examples: readonly HygieneExample[]): SensitiveFinding[] {
  const out: SensitiveFinding[] = [];
  for (const example of examples) {
    example.messages.forEach((m, turn) => {
      const spans = scanText(m.content);
      spans.forEach((f, i) => {
        out.push({ id: example.id, kind: f.kind, label: f.label, turn, excerpt: excerpt(m.content, spans, i) });
      });
    });
  }
  return out;
}
