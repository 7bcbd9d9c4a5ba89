import { randomUUID } from 'node:crypto';
import { link, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { replaceAtomically } from './durable-write.js';

/** @internal One generation of a run's lease, as its file holds it. */
export interface LeaseGeneration {
  /** The generation number: the file is `lease-<generation>.json`; the highest one is the lease. */
  readonly generation: number;
  readonly token: string;
  readonly owner: string;
  /** Epoch milliseconds; 0 once released. */
  readonly expiresAt: number;
}

const leaseFile = /^lease-(\d+)\.json$/;
const fileOf = (generation: number): string => `lease-${generation}.json`;

/**
 * @internal The lease of one run in files. Each taking of the lease creates the next generation's
 * file with `link()`, which fails when the name exists: of racers that saw the same expired
 * generation, exactly one creates the next, whatever the processes. The file is complete when it
 * appears (written aside, then linked), so a reader never sees half a lease. Renewal and release
 * replace the holder's own generation atomically (rename); generations are never reused, so a
 * slow process that saw an old generation can never take a newer lease.
 */
export class FileLease {
  constructor(
    private readonly runDirectory: string,
    private readonly temporaryDirectory: string,
  ) {}

  /** The current generation, or `undefined` when the lease was never taken. */
  async current(): Promise<LeaseGeneration | undefined> {
    // A generation may be removed between listing and reading (a newer one replaced it): list again.
    for (let attempt = 0; attempt < 5; attempt++) {
      const generation = await this.highestGeneration();
      if (generation === 0) return undefined;
      const lease = await this.read(generation);
      if (lease !== undefined) return lease;
    }
    return undefined;
  }

  /** Creates the generation after `seen` for `owner`; `undefined` when another process created it first. */
  async take(seen: number, owner: string, expiresAt: number): Promise<LeaseGeneration | undefined> {
    const lease: LeaseGeneration = { generation: seen + 1, token: randomUUID(), owner, expiresAt };
    const temporary = join(this.temporaryDirectory, `${lease.token}.lease`);
    await writeFile(temporary, JSON.stringify(lease), { flag: 'wx' });
    try {
      await link(temporary, join(this.runDirectory, fileOf(lease.generation)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
      throw error;
    } finally {
      await unlink(temporary).catch(() => undefined);
    }
    // A process that listed the generations long ago may create an old number again after it was
    // removed: only the highest generation is the lease.
    if ((await this.highestGeneration()) !== lease.generation) return undefined;
    await this.removeBefore(lease.generation);
    return lease;
  }

  /** Rewrites the holder's generation with a new expiry; `false` when a newer generation exists. */
  async rewrite(lease: LeaseGeneration, expiresAt: number): Promise<boolean> {
    const updated: LeaseGeneration = { ...lease, expiresAt };
    await replaceAtomically(join(this.runDirectory, fileOf(lease.generation)), JSON.stringify(updated), this.temporaryDirectory, this.runDirectory, false);
    return (await this.highestGeneration()) === lease.generation;
  }

  private async highestGeneration(): Promise<number> {
    let highest = 0;
    for (const name of await readdir(this.runDirectory)) {
      const match = leaseFile.exec(name);
      if (match !== null) highest = Math.max(highest, Number(match[1]));
    }
    return highest;
  }

  private async read(generation: number): Promise<LeaseGeneration | undefined> {
    try {
      return JSON.parse(await readFile(join(this.runDirectory, fileOf(generation)), 'utf8')) as LeaseGeneration;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      // Unreadable (a file cut short by a power loss): the lease is treated as expired, so it can be taken over.
      if (error instanceof SyntaxError) return { generation, token: '', owner: '', expiresAt: 0 };
      throw error;
    }
  }

  private async removeBefore(generation: number): Promise<void> {
    for (const name of await readdir(this.runDirectory)) {
      const match = leaseFile.exec(name);
      if (match !== null && Number(match[1]) < generation) await unlink(join(this.runDirectory, name)).catch(() => undefined);
    }
  }
}
