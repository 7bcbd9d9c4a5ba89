/**
 * The table of credential shapes the redaction module hides wherever they appear in text. Shapes follow
 * the published secret-scanner rule sets (gitleaks' default config, GitHub secret scanning's
 * provider patterns), narrowed where a rule needs a keyword around it.
 *
 * Every pattern is linear on hostile input: quantifiers are bounded or run over a class that the next
 * token cannot start, and no pattern nests a quantifier inside another one that can match the same text.
 */
export interface SecretRule {
  /** Stable id, as in gitleaks where one exists (`github-pat`, `jwt`, ...). */
  readonly id: string;
  /**
   * Literal pieces of which one occurs in every match (gitleaks' keywords): a text without any of them
   * skips the rule, which keeps the common case (no secret) to one scan for the whole table.
   */
  readonly keywords: readonly string[];
  /** Compare `keywords` with their case (`AKIA`, `eyJ`); otherwise case is ignored. */
  readonly exactKeywords?: boolean;
  /** Global regular expression; with `keepPrefix`, group 1 is kept and group 2 is the secret. */
  readonly pattern: RegExp;
  /** When true, group 1 (a key name and separator) is written back and only group 2 is replaced. */
  readonly keepPrefix?: boolean;
  /** A second look at a candidate (like gitleaks' entropy check): false leaves the match as it is. */
  readonly accept?: (secret: string, match: string) => boolean;
}

// A credential carries a digit, a symbol or a capital after its first character; prose words do not.
const looksGenerated = (value: string): boolean => /[0-9+/=._~-]/.test(value) || /[A-Z]/.test(value.slice(1));

// `password: too short` is prose; `password: "x"`, `password=x` and `password:x` are credentials.
const notProse = (secret: string, match: string): boolean => {
  // `requiresAuth=true`, `"token": null`: a flag or an empty value carries no secret.
  if (/^(?:true|false|null|undefined|none)$/i.test(secret)) return false;
  const prefix = match.slice(0, match.length - secret.length);
  if (/["']$/.test(prefix) || prefix.includes('=') || !/:\s+$/.test(prefix)) return true;
  return looksGenerated(secret);
};

// Key names (as a suffix of an identifier: `client_secret`, `githubToken`, `AWS_SECRET_ACCESS_KEY`)
// whose value is a secret when written `key=value`, `key: "value"` or `"key":"value"`.
const secretKeyNames =
  'password|passwd|passphrase|pwd|secret|token|authorization|api[_-]?key|access[_-]?key|secret[_-]?key|private[_-]?key|account[_-]?key|credentials?|auth|dsn|cookie|session[_-]?id|jwt';

/** The credential shapes, checked in order. */
export const secretRules: readonly SecretRule[] = [
  // PEM private keys: from BEGIN to END, or to the end of the text when END was cut off.
  { id: 'private-key', keywords: ['-----BEGIN'], exactKeywords: true, pattern: /-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[^-]*(?:-(?!----END)[^-]*)*(?:-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----)?/g },
  { id: 'jwt', keywords: ['eyJ'], exactKeywords: true, pattern: /(?<![A-Za-z0-9])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g },
  { id: 'authorization-scheme', keywords: ['bearer', 'basic', 'token'], pattern: /\b(?:bearer|basic|token)\s{1,8}[A-Za-z0-9._~+/=-]{8,}/gi, accept: (secret) => /^bearer/i.test(secret) || looksGenerated(secret.replace(/^\S+\s+/, '')) },
  { id: 'url-userinfo', keywords: ['@'], exactKeywords: true, pattern: /(\b[a-z][a-z0-9+.-]{1,20}:\/\/[^\s/:@?#]{0,256}:)([^\s/@?#]{1,256})(?=@)/gi, keepPrefix: true },
  // Scheme-relative and nested forms (`//admin:pw@db/x` in a path, `?next=//admin:pw@db`): same userinfo, no scheme.
  { id: 'url-userinfo-schemeless', keywords: ['//'], exactKeywords: true, pattern: /(\/\/[^\s/:@?#]{1,256}:)([^\s/@?#]{1,256})(?=@)/g, keepPrefix: true },
  { id: 'anthropic-openai-api-key', keywords: ['sk-'], exactKeywords: true, pattern: /(?<![A-Za-z0-9])sk-[A-Za-z0-9_-]{8,}/g, accept: (secret) => /\d/.test(secret) || secret.length >= 24 },
  { id: 'stripe-secret-key', keywords: ['k_live_', 'k_test_', 'k_prod_'], exactKeywords: true, pattern: /(?<![A-Za-z0-9])(?:sk|rk)_(?:live|test|prod)_[A-Za-z0-9]{8,}/g },
  { id: 'stripe-webhook-secret', keywords: ['whsec_'], exactKeywords: true, pattern: /(?<![A-Za-z0-9])whsec_[A-Za-z0-9]{24,}/g },
  { id: 'gcp-api-key', keywords: ['AIza'], exactKeywords: true, pattern: /(?<![A-Za-z0-9])AIza[0-9A-Za-z_-]{35}/g },
  { id: 'google-oauth-access-token', keywords: ['ya29.'], exactKeywords: true, pattern: /(?<![A-Za-z0-9])ya29\.[0-9A-Za-z_-]{20,}/g },
  { id: 'google-oauth-client-secret', keywords: ['GOCSPX-'], exactKeywords: true, pattern: /(?<![A-Za-z0-9])GOCSPX-[0-9A-Za-z_-]{20,}/g },
  { id: 'slack-token', keywords: ['xox'], exactKeywords: true, pattern: /(?<![A-Za-z0-9])xox[abposre]-[0-9A-Za-z-]{10,}/g },
  { id: 'slack-app-token', keywords: ['xapp-'], exactKeywords: true, pattern: /(?<![A-Za-z0-9])xapp-\d-[0-9A-Za-z-]{10,}/g },
  { id: 'slack-webhook-url', keywords: ['hooks.slack.com/'], exactKeywords: true, pattern: /(hooks\.slack\.com\/(?:services|workflows|triggers)\/)([A-Za-z0-9+/_-]{20,})/g, keepPrefix: true },
  { id: 'github-token', keywords: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'], exactKeywords: true, pattern: /(?<![A-Za-z0-9])gh[pousr]_[0-9A-Za-z]{20,}/g },
  { id: 'github-fine-grained-pat', keywords: ['github_pat_'], exactKeywords: true, pattern: /(?<![A-Za-z0-9])github_pat_[0-9A-Za-z_]{22,}/g },
  { id: 'gitlab-token', keywords: ['glpat-', 'glptt-', 'gldt-', 'glrt-', 'glcbt-', 'glft-', 'glimt-', 'glsoat-', 'glagent-', 'gloas-'], exactKeywords: true, pattern: /(?<![A-Za-z0-9])gl(?:pat|ptt|dt|rt|cbt|ft|imt|soat|agent|oas)-[0-9A-Za-z_-]{20,}/g },
  { id: 'huggingface-token', keywords: ['hf_', 'api_org_'], exactKeywords: true, pattern: /(?<![A-Za-z0-9])(?:hf_|api_org_)[A-Za-z0-9]{30,}/g },
  { id: 'npm-access-token', keywords: ['npm_'], exactKeywords: true, pattern: /(?<![A-Za-z0-9])npm_[A-Za-z0-9]{36}/g },
  { id: 'pypi-upload-token', keywords: ['pypi-AgEIcHlwaS5vcmc'], exactKeywords: true, pattern: /(?<![A-Za-z0-9])pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}/g },
  { id: 'aws-access-key-id', keywords: ['A3T', 'AKIA', 'ASIA', 'ABIA', 'ACCA', 'AGPA', 'AIDA', 'AROA', 'AIPA', 'ANPA', 'ANVA'], exactKeywords: true, pattern: /(?<![A-Za-z0-9])(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA)[A-Z0-9]{16}(?![A-Za-z0-9])/g },
  // A Telegram bot token as the Bot API writes it into every URL: `/bot<id>:<secret>/method`.
  { id: 'telegram-bot-api-token', keywords: ['/bot'], exactKeywords: true, pattern: /(\/bot)(\d{5,16}:A[A-Za-z0-9_-]{30,40})(?![A-Za-z0-9_-])/g, keepPrefix: true },
  { id: 'mailgun-private-api-token', keywords: ['key-'], pattern: /(?<![A-Za-z0-9])key-[a-f0-9]{32}(?![A-Za-z0-9])/g },
  { id: 'sendgrid-api-key', keywords: ['SG.'], exactKeywords: true, pattern: /(?<![A-Za-z0-9])SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/g },
  { id: 'shopify-token', keywords: ['shpat_', 'shpca_', 'shppa_', 'shpss_'], exactKeywords: true, pattern: /(?<![A-Za-z0-9])shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}(?![A-Za-z0-9])/g },
  { id: 'digitalocean-token', keywords: ['_v1_'], exactKeywords: true, pattern: /(?<![A-Za-z0-9])do[opr]_v1_[a-f0-9]{64}(?![A-Za-z0-9])/g },
  { id: 'databricks-token', keywords: ['dapi'], exactKeywords: true, pattern: /(?<![A-Za-z0-9])dapi[a-f0-9]{32}(?![A-Za-z0-9])/g },
  { id: 'grafana-token', keywords: ['glc_', 'glsa_'], exactKeywords: true, pattern: /(?<![A-Za-z0-9])gl(?:c|sa)_[A-Za-z0-9_+/=-]{32,}/g },
  { id: 'age-secret-key', keywords: ['AGE-SECRET-KEY-1'], exactKeywords: true, pattern: /(?<![A-Za-z0-9])AGE-SECRET-KEY-1[0-9A-Z]{58}(?![A-Za-z0-9])/g },
  { id: 'azure-ad-client-secret', keywords: ['Q~'], exactKeywords: true, pattern: /\b[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}/g },
  { id: 'url-query-credential', keywords: ['key=', 'code=', 'sig=', 'signature=', 'x-amz-', 'x-goog-'], pattern: /([?&;](?:key|code|sig|signature|x-amz-signature|x-amz-credential|x-goog-signature|x-goog-credential)=)([^&#\s"'<>]{1,1024})/gi, keepPrefix: true },
  // `password=...`, `"pwd": "..."`, `auth: "user:pass"`, `AWS_SECRET_ACCESS_KEY=...` in free text.
  {
    id: 'key-value-credential',
    keywords: ['pass', 'pwd', 'secret', 'token', 'auth', 'key', 'credential', 'dsn', 'cookie', 'session', 'jwt'],
    pattern: new RegExp(`((?:${secretKeyNames})["']?[ \\t]{0,8}(?:=|:(?!:))[ \\t]{0,8}["']?)((?<=")[^"\\r\\n]{1,1024}|(?<=')[^'\\r\\n]{1,1024}|[^\\s"'&,;<>)}\\]]{1,1024})`, 'gi'),
    keepPrefix: true,
    accept: notProse,
  },
];

/**
 * Key names (compared lower-case, without `-`, `_` or other separators) that hold secrets when they end
 * a key: `password`, `apiKey`, `x-api-key`, `x-custom-auth`, `secretAccessKey`, `sentryDsn`...
 */
export const sensitiveKeySuffixes: readonly string[] = [
  'password', 'passwd', 'passphrase', 'pwd', 'secret', 'token', 'apikey', 'authorization', 'auth', 'cookie',
  'credential', 'credentials', 'privatekey', 'accesskey', 'secretkey', 'accountkey', 'sessionid', 'bearer',
  'signature', 'dsn', 'connectionstring', 'jwt',
];

/**
 * Short key names that hold a password only when they are the whole name (`{ user, pass }` as
 * nodemailer and many SMTP/FTP clients take it, `pw`): as suffixes they would hide `bypass` or `compass`.
 */
export const sensitiveExactKeys: readonly string[] = ['pass', 'pw', 'passcode'];

/** Names that are secrets as URL query, form or multipart parameters only (`?key=`, `?code=`). */
export const sensitiveParameterNames: readonly string[] = ['key', 'code', 'sig', 'xamzcredential', 'xgooglecredential'];
