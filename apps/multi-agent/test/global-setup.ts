// Builds the demo (and the packages it imports) once for every test file that runs dist/.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  execFileSync('pnpm', ['exec', 'turbo', 'run', 'build', '--filter', '@tta-apps/multi-agent', '--output-logs=errors-only'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
}
