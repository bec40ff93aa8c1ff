import { describe, expect, it } from 'vitest';
import { findSensitive, luhn, mask, scanText } from '../../../src/main/core/datasets/hygiene';
import { prng } from './syntheticExamples';

/** Random key material built at run time, so no key-shaped literal sits in the repository. */
const randomChars = (
  n: number,
  seed: number,
  alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
) => {
  const random = prng(seed);
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(random() * alphabet.length)];
  return s;
};
const upperDigits = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

const kinds = (text: string) => scanText(text).map((f) => `${f.kind}:${text.slice(f.start, f.end)}`);
const labels = (text: string) => scanText(text).map((f) => f.label);

describe('findSensitive: secrets', () => {
  const cases: [string, string, string][] = [
    ['OpenAI API key', `export OPENAI_API_KEY=sk-proj-${randomChars(48, 1)}`, 'api_key'],
    ['OpenAI API key', `key sk-${randomChars(48, 2)}.`, 'api_key'],
    ['Anthropic API key', `ANTHROPIC: sk-ant-api03-${randomChars(90, 3)}`, 'api_key'],
    ['Hugging Face token', `login with hf_${randomChars(34, 4)}`, 'api_key'],
    ['GitHub token', `token ghp_${randomChars(36, 5)}`, 'api_key'],
    ['GitHub token', `github_pat_${randomChars(22, 6)}_${randomChars(59, 7)}`, 'api_key'],
    ['AWS access key ID', `aws_access_key_id = AKIA${randomChars(16, 8, upperDigits)}`, 'api_key'],
    ['Slack token', `xoxb-${randomChars(12, 9, '0123456789')}-${randomChars(24, 10)}`, 'api_key'],
    ['Google API key', `maps?key=AIza${randomChars(35, 11)}`, 'api_key'],
    ['Stripe secret key', `sk_live_${randomChars(24, 12)}`, 'api_key'],
    [
      'JSON web token',
      `Authorization: Bearer eyJ${randomChars(30, 13)}.eyJ${randomChars(40, 14)}.${randomChars(43, 15)}`,
      'jwt',
    ],
    ['private key', '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----', 'private_key'],
    ['private key', '-----BEGIN OPENSSH PRIVATE KEY-----', 'private_key'],
    ['secret after a key name', `db_password: "${randomChars(20, 16)}"`, 'secret'],
    ['secret after a key name', `{"client_secret": "${randomChars(32, 17)}"}`, 'secret'],
  ];
  it.each(cases)('flags a %s', (label, text, kind) => {
    const found = scanText(text);
    expect(found.map((f) => [f.label, f.kind])).toEqual([[label, kind]]);
  });

  it('leaves placeholders, documentation and ordinary identifiers alone', () => {
    const negatives = [
      'Set OPENAI_API_KEY to your key, e.g. sk-...',
      'api_key = "sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"',
      'api_key = "YOUR_API_KEY_HERE"',
      'token: process.env.GITHUB_TOKEN',
      'password: "correct horse battery staple"',
      'const tokenizer = new Tokenizer(); tokens = tokenizer.encode(text)',
      'The commit is 3f786850e387550fdab836ed7e6dc881de23001b.',
      'id: 123e4567-e89b-12d3-a456-426614174000',
      'The sk-learn package (scikit-learn) is great.',
      'Use hf_transfer for faster downloads.',
      'AKIAIOSFODNN7EXAMPLE is the AWS documentation key.',
      'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
    ];
    for (const text of negatives) expect(kinds(text), text).toEqual([]);
  });
});

describe('findSensitive: personal data', () => {
  it('flags email addresses but not placeholders, file names or package versions', () => {
    expect(labels('Write to jane.doe+news@gmail.com or j_smith@mail.co.uk.')).toEqual([
      'email address',
      'email address',
    ]);
    for (const text of [
      'Contact user@example.com for details.',
      'alice@test and bob@foo.test',
      'icon@2x.png and logo@3x.webp',
      'npm install react@18.2.0 @types/node@20',
      'git clone git@github.com:owner/repo.git',
      'Decorators like @property and @dataclass',
    ]) {
      expect(kinds(text), text).toEqual([]);
    }
  });

  it('flags phone numbers in international and North American formats', () => {
    for (const text of [
      'Call me at +1 415 555 2671.',
      'Call +44 20 7946 0958 tomorrow',
      'Tel: +49 (30) 901820',
      'office (415) 555-2671',
      'cell 415-555-2671',
      'fax 415.555.2671',
      'Ruf an: +33 1 42 68 53 00',
    ]) {
      expect(labels(text), text).toEqual(['phone number']);
    }
  });

  it('leaves dates, versions, ranges, prices, sums and numbers in code alone', () => {
    for (const text of [
      'Released on 2023-10-15 at 12:30.',
      'Upgrade from 1.2.3 to 10.20.30 or v2.10.1000.',
      'Pages 100-200, 300–400.',
      'It costs $1,234,567.89 in total.',
      'x = 3 + 12 * 7; y = a[123] - 456;',
      'for i in range(1000000): total += i * 2',
      'The population was 8,336,817 in 2022.',
      'ISBN 978-3-16-148410-0',
      'Call 123-456-7890 is not a valid NANP number.',
      'Version 4.15.2671 shipped.',
      'timestamp 1700000000000 ms',
      'matrix shape (512, 4096) and 1e-5',
    ]) {
      expect(kinds(text), text).toEqual([]);
    }
  });

  it('flags card numbers that pass the Luhn check, bare or grouped', () => {
    expect(labels('card 4111 1111 1111 1111 exp 12/29')).toEqual(['payment card number']);
    expect(labels('card 5555-5555-5555-4444')).toEqual(['payment card number']);
    expect(labels('amex 378282246310005')).toEqual(['payment card number']);
    expect(kinds('card 4111 1111 1111 1112')).toEqual([]); // Luhn fails
    expect(kinds('order 9111111111111119')).toEqual([]); // no card network starts with 9
    expect(kinds('id 0000 0000 0000 0000')).toEqual([]);
    expect(luhn('79927398713')).toBe(true);
    expect(luhn('79927398710')).toBe(false);
  });

  it('flags public IPv4 addresses, not private ones or version numbers', () => {
    expect(labels('The server at 93.184.216.34 answered.')).toEqual(['public IP address']);
    for (const text of [
      'Connect to 192.168.1.20 or 10.0.0.1 or 127.0.0.1 or 172.16.4.2.',
      'Docs use 203.0.113.50 and 198.51.100.7.',
      'Listen on 0.0.0.0:8080',
      'Python 3.11.4.1 and v1.2.3.4',
      'version 10.100.200.300',
    ]) {
      expect(kinds(text), text).toEqual([]);
    }
  });
});

describe('findSensitive: findings', () => {
  it('names the example and turn and masks the match in the excerpt', () => {
    const key = `sk-proj-${randomChars(48, 21)}`;
    const findings = findSensitive([
      {
        id: 'a',
        split: 'train',
        messages: [
          { role: 'user', content: 'hello' },
          { role: 'assistant', content: 'fine' },
        ],
      },
      {
        id: 'b',
        split: 'train',
        messages: [
          { role: 'system', content: 'You are helpful.' },
          { role: 'user', content: `My key is ${key}, mail me at sam.lee@proton.me please` },
          { role: 'assistant', content: 'Please revoke that key.' },
        ],
      },
    ]);
    expect(findings.map((f) => [f.id, f.kind, f.turn])).toEqual([
      ['b', 'api_key', 1],
      ['b', 'email', 1],
    ]);
    // Other findings in the excerpt's context are masked too.
    expect(findings[0]!.excerpt).toBe(`My key is ${mask(key)}, mail me at •••••••••••…`);
    expect(findings[0]!.excerpt).not.toContain(key.slice(8, 20));
    expect(findings[1]!.excerpt).toBe(`…${'•'.repeat(11)}, mail me at ${mask('sam.lee@proton.me')} please`);
  });

  it('masks short and long values', () => {
    expect(mask('abc')).toBe('•••');
    expect(mask('abcdefgh')).toBe('abc•••gh');
    expect(mask('x'.repeat(100))).toBe(`xxx${'•'.repeat(12)}xx`);
  });
});
