/**
 * A line diff of two texts (longest common subsequence), as `  same`, `- removed`, `+ added` lines.
 * Long texts fall back to showing both in full, so the cost stays bounded.
 */
export function lineDiff(expected: string, actual: string): string[] {
  const left = expected.split('\n');
  const right = actual.split('\n');
  if (left.length * right.length > 250_000) return [...left.map((line) => `- ${line}`), ...right.map((line) => `+ ${line}`)];
  const table: number[][] = Array.from({ length: left.length + 1 }, () => new Array<number>(right.length + 1).fill(0));
  for (let i = left.length - 1; i >= 0; i--) {
    for (let j = right.length - 1; j >= 0; j--) {
      table[i]![j] = left[i] === right[j] ? table[i + 1]![j + 1]! + 1 : Math.max(table[i + 1]![j]!, table[i]![j + 1]!);
    }
  }
  const lines: string[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    if (left[i] === right[j]) {
      lines.push(`  ${left[i]}`);
      i++;
      j++;
    } else if (table[i + 1]![j]! >= table[i]![j + 1]!) {
      lines.push(`- ${left[i++]}`);
    } else {
      lines.push(`+ ${right[j++]}`);
    }
  }
  while (i < left.length) lines.push(`- ${left[i++]}`);
  while (j < right.length) lines.push(`+ ${right[j++]}`);
  return lines;
}
