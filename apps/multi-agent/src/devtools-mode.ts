import { step, type WorkflowContext } from '@tta/primitives';
import { startDevtools } from '@tta/devtools';

/** What the demo prints to. */
export interface DevtoolsOutput {
  (line?: string): void;
}

/**
 * Runs the team as one workflow, `research-team`, with the devtools page serving it: prints the
 * page's URL, starts the team once a browser has the page open (runs are recorded only while one
 * watches), and keeps the page up afterwards for `lingerSeconds`, or until Ctrl+C.
 */
export async function runWithDevtools<TResult>(
  options: { readonly question: string; readonly port: number; readonly lingerSeconds: number | undefined },
  runTeam: (context: WorkflowContext) => Promise<TResult>,
  out: DevtoolsOutput,
): Promise<{ readonly result: TResult; readonly linger: () => Promise<void> }> {
  const team = step('research-team', (_question: string, context) => runTeam(context));
  const devtools = await startDevtools({ workflows: { 'research-team': team }, port: options.port });
  out(`devtools: ${devtools.url}`);
  out('open it in a browser: the team starts when the page is open (Ctrl+C to stop)');
  out();
  const stop = new AbortController();
  const onInterrupt = (): void => stop.abort();
  process.once('SIGINT', onInterrupt);
  process.once('SIGTERM', onInterrupt);
  const linger = async (): Promise<void> => {
    try {
      if (!stop.signal.aborted) {
        out(options.lingerSeconds === undefined ? `devtools still at ${devtools.url} (Ctrl+C to stop)` : `devtools stays up ${options.lingerSeconds} s`);
        await new Promise<void>((resolve) => {
          const timer = options.lingerSeconds === undefined ? undefined : setTimeout(resolve, options.lingerSeconds * 1000);
          stop.signal.addEventListener(
            'abort',
            () => {
              clearTimeout(timer);
              resolve();
            },
            { once: true },
          );
        });
      }
    } finally {
      process.off('SIGINT', onInterrupt);
      process.off('SIGTERM', onInterrupt);
      await devtools.close();
    }
  };
  try {
    await Promise.race([devtools.waitForBrowser(), new Promise((resolve) => stop.signal.addEventListener('abort', resolve, { once: true }))]);
    if (stop.signal.aborted) throw new Error('stopped before a browser opened the devtools page');
    return { result: await team.run(options.question), linger };
  } catch (error) {
    await linger();
    throw error;
  }
}
