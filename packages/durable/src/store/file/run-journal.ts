import { open, readFile } from 'node:fs/promises';
import type { RunHeader, RunState, RunStatus, RunStatusUpdate, RunUsage, StepRecord } from '../../run-store.js';

/** @internal One line of a run's journal: a step record, or a status change. */
export type JournalEntry =
  | { readonly t: 'step'; readonly at: number; readonly r: StepRecord }
  | { readonly t: 'status'; readonly at: number; readonly u: RunStatusUpdate };

/** @internal What `header.json` holds: the header, and when the store created the run. */
export interface HeaderFile {
  readonly header: RunHeader;
  readonly storedAt: number;
}

/**
 * @internal Reads a journal up to its last whole record. A record is whole once its line ends: the
 * text after the last newline is a record a crash cut short, and is left out. A line that does not
 * parse (a record cut short, then followed by a later owner's records) is left out too: its step
 * runs again, which is the at-least-once promise, never a wrong output.
 */
export async function readJournal(file: string): Promise<JournalEntry[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const lines = text.split('\n');
  lines.pop();
  const entries: JournalEntry[] = [];
  for (const line of lines) {
    if (line.length === 0) continue;
    try {
      entries.push(JSON.parse(line) as JournalEntry);
    } catch {
      // A torn record: see above.
    }
  }
  return entries;
}

/** @internal The run's state: the header, and the journal folded in append order. */
export function foldJournal(headerFile: HeaderFile, entries: readonly JournalEntry[]): RunState {
  let status: RunStatus = 'running';
  let updatedAt = headerFile.storedAt;
  let carried: Omit<RunStatusUpdate, 'status' | 'usage'> = {};
  let usage: RunUsage | undefined;
  const steps: StepRecord[] = [];
  for (const entry of entries) {
    updatedAt = entry.at;
    if (entry.t === 'step') {
      steps.push(entry.r);
      continue;
    }
    const { status: next, usage: nextUsage, ...rest } = entry.u;
    status = next;
    carried = rest;
    if (nextUsage !== undefined) usage = nextUsage;
  }
  return { header: headerFile.header, status, updatedAt, steps, ...carried, ...(usage === undefined ? {} : { usage }) };
}

/**
 * @internal Cuts a record torn by a crash off the end of the journal, so the next owner's first
 * record starts on a line of its own. Called by the process that just took the lease: no one else
 * may append, and a previous owner whose lease expired must not.
 */
export async function trimTornTail(file: string): Promise<void> {
  let handle;
  try {
    handle = await open(file, 'r+');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return;
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    if (last[0] === 0x0a) return;
    // Search backwards, a block at a time, for the newline that ends the last whole record.
    const block = Buffer.alloc(64 * 1024);
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - block.length);
      const { bytesRead } = await handle.read(block, 0, end - start, start);
      const newline = block.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (newline !== -1) {
        await handle.truncate(start + newline + 1);
        await handle.datasync();
        return;
      }
      end = start;
    }
    await handle.truncate(0);
    await handle.datasync();
  } finally {
    await handle.close();
  }
}
