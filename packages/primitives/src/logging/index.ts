// `@tta/primitives/logging`: structured loggers that carry the correlation id, and the redaction of
// secrets in log fields, text, URLs, headers and bodies.
export { createJsonLogger, bindLogger, silentLogger, DEFAULT_MAX_PENDING_LOG_BYTES } from './logger.js';
export type { Logger, LogFields, LogLevel, JsonLoggerOptions, JsonLogger, LogStream } from './logger.js';
export { redact, redactText, isSensitiveKey, isSensitiveParameter, isSecretLookingValue, REDACTED } from './redact.js';
export type { RedactOptions } from './redact.js';
export { redactUrl, redactHeaders } from './redact-url.js';
export { redactBody, redactFormBody, redactMultipartBody } from './redact-body.js';
export { secretRules } from './secret-patterns.js';
export type { SecretRule } from './secret-patterns.js';
