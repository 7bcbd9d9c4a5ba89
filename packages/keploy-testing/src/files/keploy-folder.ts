import { stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/** Where a run reads from: the Keploy folder (test sets) and the app folder (keploy.yml). */
export interface KeployFolders {
  /** The folder that holds the `test-set-N` folders. */
  readonly keployDir: string;
  /** The folder that holds `keploy/` and `keploy.yml`. */
  readonly appDir: string;
}

const isDirectory = async (path: string): Promise<boolean> => {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
};

/**
 * Resolves `dir` as the Keploy folder itself (`my-app/keploy`) or as the app folder that holds one
 * (`my-app`, as Keploy's own `--path` takes it): a `keploy/` folder inside `dir` is never a test set.
 */
export async function resolveKeployFolders(dir: string): Promise<KeployFolders> {
  const absolute = resolve(dir);
  if (basename(absolute) !== 'keploy' && (await isDirectory(join(absolute, 'keploy')))) return { keployDir: join(absolute, 'keploy'), appDir: absolute };
  return { keployDir: absolute, appDir: dirname(absolute) };
}
