import type { ScalarTag } from 'yaml';

/**
 * YAML's `!!binary` (base64), read as a `Buffer` and written back as `!!binary` on one line: Go's YAML
 * library writes a body that is not valid UTF-8 this way. (The YAML library's own tag folds lines by the
 * line width, which is off here, and fails.)
 */
export const binaryTag: ScalarTag = {
  tag: 'tag:yaml.org,2002:binary',
  default: false,
  identify: (value: unknown) => value instanceof Uint8Array,
  resolve: (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'base64'),
  stringify: ({ value }) => {
    const bytes = value as Uint8Array;
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  },
};
