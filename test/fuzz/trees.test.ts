import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readDocuments } from '../../src/sources/local.js';
import { DEFAULT_SOURCE_LIMITS } from '../../src/sources/source.js';
import { tempDir } from '../support/cli.js';
import { fuzz, timed } from './budget.js';

// Fuzz target over attestation directories with odd entries: FIFOs, links to devices, dangling
// links, link loops and cycles, hidden, unicode, control-character and very long names, deep
// nesting, files over the cap. The search must end in time, never throw, never leave the tree,
// and read every plain attestation file within the limits.
const NAMES = [
  'a.json',
  'b.dsse.json',
  'c.intoto.jsonl',
  'd.sigstore',
  'e.txt',
  'F.JSON',
  '.hidden.json',
  '-',
  ' .json',
  'é.json',
  '名前.dsse.json',
  'line\nbreak.json',
  '\u001b[2J.json',
  '\u202eevil.json',
  `${'x'.repeat(250)}.json`,
  'sub',
  'deeper',
];

type Entry =
  | { kind: 'dir'; path: string[] }
  | { kind: 'file'; path: string[]; size: number }
  | { kind: 'fifo'; path: string[] }
  | { kind: 'link'; path: string[]; target: string };

const segments = fc.array(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 5 });
const entry: fc.Arbitrary<Entry> = fc.oneof(
  fc.record({ kind: fc.constant('dir' as const), path: segments }),
  fc.record({
    kind: fc.constant('file' as const),
    path: segments,
    size: fc.oneof(fc.integer({ min: 1, max: 64 }), fc.constant(5000)),
  }),
  fc.record({ kind: fc.constant('fifo' as const), path: segments }),
  fc.record({
    kind: fc.constant('link' as const),
    path: segments,
    target: fc.constantFrom(
      '/dev/zero',
      '/dev/null',
      'nowhere',
      '.',
      '..',
      '../..',
      'a.json',
      'sub',
      '/',
    ),
  }),
);
const tree = fc.record({
  entries: fc.array(entry, { maxLength: 25 }),
  limits: fc.record({
    maxFileBytes: fc.constantFrom(1000, DEFAULT_SOURCE_LIMITS.maxFileBytes),
    maxEntries: fc.constantFrom(5, 10_000),
    maxDepth: fc.constantFrom(2, 32),
    maxDocuments: fc.constantFrom(3, 10_000),
  }),
});

/** Builds the tree; returns the plain files it holds (entries that failed to create are left out). */
function build(root: string, entries: readonly Entry[]): Map<string, number> {
  const files = new Map<string, number>();
  const fifos: string[] = [];
  for (const e of entries) {
    const path = join(root, ...e.path);
    try {
      mkdirSync(join(path, '..'), { recursive: true });
      if (e.kind === 'dir') mkdirSync(path);
      else if (e.kind === 'file') {
        // One line, never an npm attestations document: exactly one document when read.
        writeFileSync(path, 'x'.repeat(e.size), { flag: 'wx' });
        files.set(path, e.size);
      } else if (e.kind === 'fifo') fifos.push(path);
      else symlinkSync(e.target, path);
    } catch {
      // The path is taken by another entry (or runs through a file): that is a tree too.
    }
  }
  // One process for all FIFOs (spawning is the slow part); the ones whose path is taken fail.
  if (fifos.length > 0) spawnSync('mkfifo', fifos, { stdio: 'ignore' });
  return files;
}

const ATTESTATION = /\.(json|jsonl|sigstore)$/;

describe('fuzz: attestation directory trees', () => {
  it('odd entries are skipped with a reason, plain files are read, nothing blocks or escapes', () => {
    fuzz('trees', 15, tree, ({ entries, limits }) => {
      // The tree sits six levels down its temporary directory, so that a link up (`../..`)
      // leaves the tree but never the test's own directory.
      const base = tempDir('vouch-fuzz-tree-');
      const root = join(base, 'a', 'b', 'c', 'd', 'e', 'tree');
      mkdirSync(root, { recursive: true });
      mkdirSync(join(root, '..', 'outside'));
      writeFileSync(join(root, '..', 'outside', 'x.json'), '{}');
      try {
        const files = build(root, entries);
        const all = { ...DEFAULT_SOURCE_LIMITS, ...limits };
        const found = timed('readDocuments', () => readDocuments([root], all));
        expect(found.documents.length).toBeLessThanOrEqual(all.maxDocuments);
        for (const d of found.documents) expect(relative(root, d.source)).not.toMatch(/^\.\./);
        for (const s of found.skipped) {
          expect(relative(root, s.source)).not.toMatch(/^\.\./);
          expect(s.reason).not.toBe('');
        }
        // Completeness, when no limit was reached: every plain attestation file under a
        // visible path is read (a .jsonl file as its line 1).
        const limited = found.skipped.some((s) => /limit|more than|deeper/.test(s.reason));
        if (limited) return;
        const origins = new Set(found.documents.map((d) => d.source.replace(/#L1$/, '')));
        for (const [path, size] of files) {
          const visible = relative(root, path)
            .split('/')
            .every((p) => !p.startsWith('.'));
          if (visible && ATTESTATION.test(path) && size <= all.maxFileBytes) {
            expect(origins, path).toContain(path);
          }
        }
      } finally {
        rmSync(base, { recursive: true, force: true });
      }
    });
  });
});
