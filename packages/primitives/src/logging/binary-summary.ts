/**
 * @internal A short description of binary data (`'[Buffer: 1048576 bytes]'`) for a log record, or
 * undefined when `value` is not binary. Bytes are never copied into a log: a 10 MB request body as
 * a JSON array of numbers took tens of seconds and gigabytes to write, and would show its content
 * (a credential in it included) to anyone who decodes the numbers.
 */
export function binarySummary(value: object): string | undefined {
  let bytes: number;
  if (ArrayBuffer.isView(value)) bytes = value.byteLength;
  else if (value instanceof ArrayBuffer || (typeof SharedArrayBuffer === 'function' && value instanceof SharedArrayBuffer)) bytes = value.byteLength;
  else return undefined;
  return `[${binaryName(value)}: ${bytes} bytes]`;
}

function binaryName(value: object): string {
  try {
    const name = (value.constructor as { name?: unknown } | undefined)?.name;
    if (typeof name === 'string' && /^\w{1,40}$/.test(name)) return name;
  } catch {
    // A hostile constructor getter: fall through to the generic name.
  }
  return 'binary data';
}
