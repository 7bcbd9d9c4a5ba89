import type { Noise } from '../model.js';

/** Names of the built-in noise presets. */
export type NoisePresetName = 'time' | 'jwt';

/** A preset: header and body paths, and body keys ignored at any depth. */
export interface NoisePreset {
  /** Paths, as in a test case's noise. */
  readonly noise: Noise;
  /** Body keys ignored wherever they occur (values must still match the patterns). */
  readonly anyDepth: Noise;
}

const isoTime = String.raw`^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$`;
const epoch = String.raw`^\d{9,13}(\.\d+)?$`;
const jwt = String.raw`^(Bearer )?[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$`;

/**
 * Noise for values that change with the clock, so a recording does not fail the next day. Each body rule
 * ignores a value only when it still has the expected shape (a timestamp, a JWT): a field that vanished
 * or turned into something else still fails.
 *
 * - `time`: the `Date`, `Expires`, `Last-Modified` and `Age` headers; body keys such as `createdAt`,
 *   `updatedAt`, `timestamp`, `expiresAt`, `iat`, `exp` holding an ISO 8601 time or epoch seconds/ms.
 * - `jwt`: body keys such as `token`, `accessToken`, `refresh_token`, `id_token` holding a JWT, and the
 *   `Authorization` and `Set-Cookie` headers when they carry one.
 *
 * @example
 * ```ts
 * await runTestSets({ baseUrl: 'http://127.0.0.1:3000', noisePresets: ['time', 'jwt'] });
 * ```
 */
export const NOISE_PRESETS: Readonly<Record<NoisePresetName, NoisePreset>> = {
  time: {
    noise: { 'header.Date': [], 'header.Expires': [], 'header.Last-Modified': [], 'header.Age': [] },
    anyDepth: Object.fromEntries(
      ['createdAt', 'updatedAt', 'deletedAt', 'created_at', 'updated_at', 'deleted_at', 'timestamp', 'time', 'date', 'expiresAt', 'expires_at', 'issuedAt', 'iat', 'exp', 'nbf', 'lastLogin', 'last_login'].map(
        (key) => [key, [isoTime, epoch]],
      ),
    ),
  },
  jwt: {
    noise: { 'header.Authorization': [jwt], 'header.Set-Cookie': [String.raw`[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+`] },
    anyDepth: Object.fromEntries(
      ['token', 'accessToken', 'access_token', 'refreshToken', 'refresh_token', 'idToken', 'id_token', 'jwt', 'authToken', 'auth_token'].map((key) => [key, [jwt]]),
    ),
  },
};
