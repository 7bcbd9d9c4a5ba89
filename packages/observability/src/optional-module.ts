import { InitializationFailure } from './initialization-failure.js';

function isModuleNotFound(error: unknown): boolean {
  for (let current = error, depth = 0; typeof current === 'object' && current !== null && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Loads an optional dependency with a dynamic `import()`, so that a missing one is reported as an
 * {@link InitializationFailure} (and `initializeObservability` returns false) instead of failing
 * the import of the whole package. `hint` says what to do about it.
 */
export async function loadOptional<TModule>(name: string, importer: () => Promise<TModule>, hint: string): Promise<TModule> {
  try {
    return await importer();
  } catch (error) {
    if (isModuleNotFound(error)) {
      throw new InitializationFailure('missing-dependency', `missing optional dependency ${name} (${hint})`, { cause: error });
    }
    const message = error instanceof Error ? error.message : String(error);
    throw new InitializationFailure('missing-dependency', `could not load optional dependency ${name}: ${message} (${hint})`, { cause: error });
  }
}
