import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { documentsFromBytes, readDocuments } from '../../src/sources/local.js';
import { DEFAULT_SOURCE_LIMITS } from '../../src/sources/source.js';
import { tempDir } from '../support/cli.js';

let dir: string;
const children: ChildProcess[] = [];
beforeEach(() => {
  dir = tempDir('vouch-sources-');
});
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const envelope = '{"payloadType":"x","payload":"","signatures":[]}';

function mkfifo(path: string): void {
  execFileSync('mkfifo', [path]);
  // Guard for a regression: if the reader ever blocks on this FIFO, a writer opens and
  // closes it after 3 s, so the test fails on time instead of hanging the worker forever.
  const writer = spawn('sh', ['-c', `sleep 3; : > '${path}'`], { stdio: 'ignore' });
  children.push(writer);
}

const sourcesOf = (skipped: readonly { source: string }[]) => skipped.map((s) => s.source);

describe('readDocuments over a hostile attestations directory', () => {
  it('skips a FIFO named like an attestation without blocking, and reads the rest', () => {
    writeFileSync(join(dir, 'a.dsse.json'), envelope);
    mkfifo(join(dir, 'x.dsse.json'));
    const started = Date.now();
    const { documents, skipped } = readDocuments([dir]);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(documents.map((d) => d.source)).toEqual([join(dir, 'a.dsse.json')]);
    expect(skipped).toEqual([
      { source: join(dir, 'x.dsse.json'), reason: 'not a regular file (FIFO)' },
    ]);
  });

  it('never reads a device behind a symlink (/dev/zero)', () => {
    symlinkSync('/dev/zero', join(dir, 'zero.dsse.json'));
    const { documents, skipped } = readDocuments([dir]);
    expect(documents).toEqual([]);
    expect(skipped).toEqual([
      { source: join(dir, 'zero.dsse.json'), reason: 'not a regular file (character device)' },
    ]);
  });

  it('skips dangling symlinks and symlink loops and goes on', () => {
    symlinkSync(join(dir, 'nowhere.json'), join(dir, 'dangling.dsse.json'));
    symlinkSync(join(dir, 'loop2.json'), join(dir, 'loop1.json'));
    symlinkSync(join(dir, 'loop1.json'), join(dir, 'loop2.json'));
    writeFileSync(join(dir, 'z.dsse.json'), envelope);
    const { documents, skipped } = readDocuments([dir]);
    expect(documents.map((d) => d.source)).toEqual([join(dir, 'z.dsse.json')]);
    expect(skipped).toEqual([
      { source: join(dir, 'dangling.dsse.json'), reason: expect.stringContaining('dangling') },
      { source: join(dir, 'loop1.json'), reason: expect.stringContaining('link loop') },
      { source: join(dir, 'loop2.json'), reason: expect.stringContaining('link loop') },
    ]);
  });

  it('walks a directory symlink cycle once', () => {
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'a.json'), envelope);
    symlinkSync(dir, join(dir, 'sub', 'up'));
    const { documents, skipped } = readDocuments([dir]);
    expect(documents.map((d) => d.source)).toEqual([join(dir, 'sub', 'a.json')]);
    expect(skipped).toEqual([
      { source: join(dir, 'sub', 'up'), reason: expect.stringContaining('already searched') },
    ]);
  });

  it('enforces the size cap while reading, names other skipped files, and bounds depth and entries', () => {
    const limits = { ...DEFAULT_SOURCE_LIMITS, maxFileBytes: 100, maxDepth: 2, maxEntries: 6 };
    writeFileSync(join(dir, 'big.json'), 'x'.repeat(101));
    writeFileSync(join(dir, 'fits.json'), 'x'.repeat(100));
    writeFileSync(join(dir, 'README.md'), 'not an attestation');
    writeFileSync(join(dir, '.hidden.json'), envelope);
    mkdirSync(join(dir, 'd1', 'd2', 'd3'), { recursive: true });
    writeFileSync(join(dir, 'd1', 'd2', 'd3', 'deep.json'), envelope);
    const { documents, skipped } = readDocuments([dir], limits);
    expect(documents.map((d) => d.source)).toEqual([join(dir, 'fits.json')]);
    expect(skipped).toEqual([
      { source: join(dir, '.hidden.json'), reason: 'hidden entry' },
      { source: join(dir, 'README.md'), reason: expect.stringContaining('not an attestation') },
      { source: join(dir, 'big.json'), reason: 'larger than the 100-byte limit for one file' },
      { source: join(dir, 'd1', 'd2'), reason: 'deeper than 2 directory levels' },
    ]);
    const crowded = readDocuments([dir], { ...limits, maxEntries: 2 });
    expect(sourcesOf(crowded.skipped)).toContain(dir);
    expect(crowded.skipped.find((s) => s.source === dir)?.reason).toMatch(/more than 2 entries/);
  });

  it('bounds the documents of a .jsonl file and reports where it stopped', () => {
    const file = join(dir, 'many.intoto.jsonl');
    writeFileSync(file, `${envelope}\n`.repeat(5));
    const { documents, skipped } = readDocuments([file], {
      ...DEFAULT_SOURCE_LIMITS,
      maxDocuments: 3,
    });
    expect(documents.map((d) => d.source)).toEqual([`${file}#L1`, `${file}#L2`, `${file}#L3`]);
    expect(skipped).toEqual([
      { source: `${file}#L4`, reason: expect.stringMatching(/rest not read/) },
    ]);
  });

  it('still fails on a named path that does not exist (a mistyped argument)', () => {
    expect(() => readDocuments([join(dir, 'missing')])).toThrowWithCode('IO_ERROR');
  });
});

describe('documentsFromBytes (standard input)', () => {
  it('reads one pretty-printed document as one', () => {
    const pretty = JSON.stringify(JSON.parse(envelope), null, 2);
    expect(documentsFromBytes('-', Buffer.from(pretty)).documents).toHaveLength(1);
  });

  it('reads JSON Lines as one document per line', () => {
    const { documents } = documentsFromBytes('-', Buffer.from(`${envelope}\n\n${envelope}\n`));
    expect(documents.map((d) => d.source)).toEqual(['-#L1', '-#L3']);
  });
});

describe('npm registry attestations documents', () => {
  it('yields each bundle it holds, and names entries without one', () => {
    const file = join(dir, 'pkg.json');
    const bundle = { mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.1' };
    writeFileSync(
      file,
      JSON.stringify({
        attestations: [{ predicateType: 'p', bundle }, { predicateType: 'q' }],
      }),
    );
    const { documents, skipped } = readDocuments([file]);
    expect(documents.map((d) => [d.source, JSON.parse(d.bytes.toString())])).toEqual([
      [`${file}#attestations[0]`, bundle],
    ]);
    expect(skipped).toEqual([
      { source: `${file}#attestations[1]`, reason: 'npm attestations entry has no bundle object' },
    ]);
  });

  it('reads a document that only looks like one (duplicate keys) as one document, to be rejected', () => {
    const file = join(dir, 'dup.json');
    writeFileSync(file, '{"attestations": [], "attestations": []}');
    expect(readDocuments([file]).documents.map((d) => d.source)).toEqual([file]);
  });
});

describe('edges found by attacking the sources', () => {
  it('names a file whose name is not UTF-8, instead of calling it a dangling link', () => {
    execFileSync('python3', [
      '-c',
      'import os,sys; open(os.path.join(sys.argv[1].encode(), b"\\xff.json"), "w").write("{}")',
      dir,
    ]);
    const { skipped } = readDocuments([dir]);
    expect(skipped).toEqual([
      { source: join(dir, '\ufffd.json'), reason: 'cannot read: the name is not valid UTF-8' },
    ]);
  });

  it('skips a named FIFO (/dev/stdin, process substitution) and says to use -', () => {
    mkfifo(join(dir, 'named-fifo'));
    const { documents, skipped } = readDocuments([join(dir, 'named-fifo')]);
    expect(documents).toEqual([]);
    expect(skipped).toEqual([
      {
        source: join(dir, 'named-fifo'),
        reason: 'not a regular file (FIFO); pass - to read standard input',
      },
    ]);
  });
});
