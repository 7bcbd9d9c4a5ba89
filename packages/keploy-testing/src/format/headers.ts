/** `content-type` -> `Content-Type`, as Go's canonical header keys that Keploy writes. */
export function canonicalHeaderName(name: string): string {
  return name
    .toLowerCase()
    .split('-')
    .map((part) => (part === '' ? part : part[0]!.toUpperCase() + part.slice(1)))
    .join('-');
}

/** Case-insensitive header lookup in a recorded header map. */
export function getHeader(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const key of Object.keys(headers)) if (key.toLowerCase() === wanted) return headers[key];
  return undefined;
}

/**
 * A recorded header map from a Fetch `Headers`, names in canonical casing; `drop` lists lower-case names to
 * leave out. Repeated values (each `Set-Cookie`) are joined with `,`, as Keploy writes them.
 */
export function headersToRecord(headers: Headers, drop: ReadonlySet<string> = new Set()): Record<string, string> {
  const record: Record<string, string> = {};
  headers.forEach((value, name) => {
    const lower = name.toLowerCase();
    if (drop.has(lower)) return;
    const key = canonicalHeaderName(lower);
    record[key] = record[key] === undefined ? value : `${record[key]},${value}`;
  });
  return record;
}
