import type { RecordedRequest } from '../model.js';

const quote = (value: string): string => `'${value.replaceAll("'", `'\\''`)}'`;

/** The request as a curl command, in the layout Keploy writes under `curl:`. */
export function toCurl(request: RecordedRequest): string {
  const lines = [`curl --request ${request.method}`, `  --url ${request.url}`];
  for (const [name, value] of Object.entries(request.headers)) lines.push(`  --header ${quote(`${name}: ${value}`)}`);
  if (request.body !== '') lines.push(`  --data ${quote(request.body)}`);
  return lines.join(' \\\n');
}
