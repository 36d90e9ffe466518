import { gzipSync } from 'node:zlib';

const BLOCK = 512;

/**
 * A gzipped POSIX ustar archive of small text files, built in memory so the demo needs no
 * `tar` binary. Fixed mtime and owner: the same files always give the same bytes (and digest).
 */
export function tarGz(files: Readonly<Record<string, string>>, mtime: number): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text, 'utf8');
    blocks.push(header(name, data.byteLength, mtime), data, Buffer.alloc(padding(data.byteLength)));
  }
  // POSIX: the archive ends with two zero blocks.
  blocks.push(Buffer.alloc(2 * BLOCK));
  return gzipSync(Buffer.concat(blocks), { level: 9 });
}

function header(name: string, size: number, mtime: number): Buffer {
  if (Buffer.byteLength(name) > 100) throw new RangeError(`tar name too long: ${name}`);
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 'utf8');
  h.write(octal(0o644, 8), 100);
  h.write(octal(0, 8), 108);
  h.write(octal(0, 8), 116);
  h.write(octal(size, 12), 124);
  h.write(octal(mtime, 12), 136);
  h.write('0', 156); // regular file
  h.write('ustar\u000000', 257);
  h.write('root', 265);
  h.write('root', 297);
  // The checksum is computed with its own field as eight spaces.
  h.write(' '.repeat(8), 148);
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148);
  return h;
}

/** A zero-terminated octal number filling `width` bytes. */
function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\u0000`;
}

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}
