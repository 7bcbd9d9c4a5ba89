// Canary secrets and scanners: a canary is a unique, real-shaped secret planted where a secret would
// be; a leak is any place its random part shows up afterwards (log lines, exported spans, metrics,
// error messages, event payloads, files). The shapes follow the public secret-scanner rule sets
// (gitleaks, GitHub secret scanning), not our own redaction patterns: a canary the redactor was not
// written for is the point.
import { randomBytes, randomInt } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const alphabets = {
  alnum: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
  upperDigits: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567',
  digits: '0123456789',
  hex: '0123456789abcdef',
  letters: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
  base64: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
  base64url: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
} as const;

function random(alphabet: keyof typeof alphabets, length: number): string {
  const chars = alphabets[alphabet];
  let text = '';
  for (let index = 0; index < length; index++) text += chars[randomInt(chars.length)];
  return text;
}

const base64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

/** One planted secret: the value as it would appear, and the random part a scan looks for. */
export interface Canary {
  /** Which kind of credential it imitates (`stripe-secret-key`, `jwt`, ...). */
  readonly shape: string;
  /** The value as an application would hold it. */
  readonly value: string;
  /** The part that identifies it: random, at least 16 characters, never shown legitimately. */
  readonly needle: string;
}

function canary(shape: string, value: string, needle: string): Canary {
  if (!value.includes(needle) || needle.length < 16) throw new Error(`bad canary ${shape}`);
  return { shape, value, needle };
}

/** Real-shaped secrets of every kind the redaction table covers, plus field-only ones. */
export interface Canaries {
  /** Every canary, for scans. */
  readonly all: readonly Canary[];
  /** Credentials recognisable by their shape alone: must be hidden even inside free text. */
  readonly shaped: readonly Canary[];
  /** Plain random text: only ever placed under a sensitive name (password, apiKey, authorization...). */
  readonly fieldOnly: Canary;
  /** A second field-only value, for `password=` pairs inside free text. */
  readonly pairValue: Canary;
  /** A PEM private key block. */
  readonly privateKey: Canary;
  /** The password inside a DSN / URL userinfo (`postgres://app:<password>@db/app`). */
  readonly dsn: Canary;
  /** A JWT (header.payload.signature). */
  readonly jwt: Canary;
  /** An AWS secret access key: 40 base64 characters, hidden by its field name. */
  readonly awsSecret: Canary;
  /** Looks up a shaped canary by its shape name. */
  byShape(shape: string): Canary;
}

/** Fresh canaries for one test run. */
export function makeCanaries(): Canaries {
  const openai = random('alnum', 48);
  const openaiShort = random('alnum', 24);
  const stripe = random('alnum', 24);
  const stripeRestricted = random('alnum', 24);
  const google = random('base64url', 35);
  const slackBot = random('alnum', 24);
  const slackUser = random('hex', 32);
  const ghp = random('alnum', 36);
  const ghu = random('alnum', 36);
  const ghr = random('alnum', 36);
  const fineGrained = `${random('alnum', 22)}_${random('alnum', 59)}`;
  const gitlab = random('alnum', 20);
  const huggingFace = random('letters', 34);
  const npm = random('alnum', 36);
  const googleOauth = random('base64url', 72);
  const akia = random('upperDigits', 16);
  const asia = random('upperDigits', 16);
  const jwtSignature = base64url(randomBytes(32));
  const jwt = `${base64url('{"alg":"HS256","typ":"JWT"}')}.${base64url(JSON.stringify({ sub: '1234567890', name: 'Ada', iat: 1_700_000_000 }))}.${jwtSignature}`;
  const pemBody = randomBytes(96).toString('base64');
  const pem = `-----BEGIN RSA PRIVATE KEY-----\n${pemBody.slice(0, 64)}\n${pemBody.slice(64)}\n-----END RSA PRIVATE KEY-----`;
  const dsnPassword = random('alnum', 20);
  const awsSecret = random('base64', 40);
  const fieldOnly = random('alnum', 24);
  const pairValue = random('alnum', 20);

  const shaped = [
    canary('openai-project-key', `sk-proj-${openai}`, openai),
    canary('openai-short-key', `sk-live-${openaiShort}`, openaiShort),
    canary('stripe-secret-key', `sk_live_${stripe}`, stripe),
    canary('stripe-restricted-key', `rk_live_${stripeRestricted}`, stripeRestricted),
    canary('google-api-key', `AIza${google}`, google),
    canary('slack-bot-token', `xoxb-${random('digits', 12)}-${random('digits', 13)}-${slackBot}`, slackBot),
    canary('slack-user-token', `xoxp-${random('digits', 12)}-${random('digits', 12)}-${random('digits', 13)}-${slackUser}`, slackUser),
    canary('github-pat', `ghp_${ghp}`, ghp),
    canary('github-user-token', `ghu_${ghu}`, ghu),
    canary('github-refresh-token', `ghr_${ghr}`, ghr),
    canary('github-fine-grained-pat', `github_pat_${fineGrained}`, fineGrained),
    canary('gitlab-pat', `glpat-${gitlab}`, gitlab),
    canary('hugging-face-token', `hf_${huggingFace}`, huggingFace),
    canary('npm-token', `npm_${npm}`, npm),
    canary('google-oauth-token', `ya29.${googleOauth}`, googleOauth),
    canary('aws-access-key-id', `AKIA${akia}`, `AKIA${akia}`),
    canary('aws-sts-key-id', `ASIA${asia}`, `ASIA${asia}`),
    canary('jwt', jwt, jwtSignature),
  ];
  const extra = {
    fieldOnly: canary('field-only', `c4n4ry${fieldOnly}`, fieldOnly),
    pairValue: canary('password-pair', pairValue, pairValue),
    privateKey: canary('pem-private-key', pem, pemBody.slice(0, 32)),
    dsn: canary('dsn-password', `postgres://app:${dsnPassword}@db.internal:5432/app`, dsnPassword),
    awsSecret: canary('aws-secret-access-key', awsSecret, awsSecret),
  };
  const jwtCanary = shaped.find((item) => item.shape === 'jwt')!;
  const all = [...shaped, ...Object.values(extra)];
  return {
    all,
    shaped,
    ...extra,
    jwt: jwtCanary,
    byShape: (shape) => {
      const found = all.find((item) => item.shape === shape);
      if (found === undefined) throw new Error(`no canary ${shape}`);
      return found;
    },
  };
}

/** Where a canary appeared, with some text around it. */
export interface Leak {
  readonly where: string;
  readonly shape: string;
  readonly excerpt: string;
}

/** The forms a needle can take in output: as is, URL-encoded, JSON-escaped, base64 of the needle. */
function formsOf(needle: string): string[] {
  const forms = new Set([needle, encodeURIComponent(needle), JSON.stringify(needle).slice(1, -1)]);
  // Base64 of text depends on its alignment: the three alignments of the needle each give a run.
  for (let shift = 0; shift < 3; shift++) forms.add(Buffer.from(needle.slice(shift)).toString('base64').slice(0, 16));
  return [...forms].filter((form) => form.length >= 12);
}

/** Finds every occurrence of the canaries in `text` (also URL-encoded, JSON-escaped and base64 forms). */
export function scanText(where: string, text: string, canaries: Canaries): Leak[] {
  const leaks: Leak[] = [];
  for (const item of canaries.all) {
    for (const form of formsOf(item.needle)) {
      for (let index = text.indexOf(form); index !== -1; index = text.indexOf(form, index + 1)) {
        leaks.push({ where, shape: item.shape, excerpt: text.slice(Math.max(0, index - 60), index + form.length + 20) });
      }
    }
  }
  return leaks;
}

/** Every file under `dir`, recursively. */
export function listFiles(dir: string): string[] {
  const files: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files.push(...listFiles(path));
    else files.push(path);
  }
  return files;
}

/** Scans every file under `dir` as text. */
export function scanDirectory(dir: string, canaries: Canaries): { readonly files: string[]; readonly leaks: Leak[] } {
  const files = listFiles(dir);
  return { files, leaks: files.flatMap((file) => scanText(file, readFileSync(file, 'latin1'), canaries)) };
}
