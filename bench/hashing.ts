/**
 * Hashing: `vouch digest` of a large file against `openssl dgst -sha256`, both whole processes
 * reading the same (cached) file; the ratio is vouch's throughput over openssl's.
 */
import { spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { atLeast, type BenchOptions, pairedRatio, type Suite, skippedSuite } from './harness.js';
import { type Command, compareProcesses, REPO } from './spawned.js';

// Each round hashes the whole file twice: a few rounds are enough for a stable median.
const MAX_ROUNDS = 7;

function writeFile(path: string, mib: number): void {
  const chunk = randomFillSync(Buffer.alloc(1024 * 1024));
  const fd = openSync(path, 'w');
  try {
    for (let i = 0; i < mib; i++) writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
}

const digestOf = (command: Command): string =>
  /[0-9a-f]{64}/.exec(spawnSync(command.file, command.args, { encoding: 'utf8' }).stdout)?.[0] ??
  `no digest from ${command.name}`;

export const hashingSuite: Suite = {
  name: 'hashing',
  description: '`vouch digest` (sha256) vs `openssl dgst -sha256` on one large file, MiB/s',
  run(options: BenchOptions, log: (line: string) => void): ReturnType<Suite['run']> {
    const description = `${this.description} (${options.hashMib} MiB)`;
    if (spawnSync('openssl', ['version']).status !== 0) {
      return skippedSuite(this, 'openssl not found (apt-get install openssl)');
    }
    const dir = mkdtempSync(join(tmpdir(), 'vouch-bench-hash-'));
    try {
      const file = join(dir, 'artifact.bin');
      writeFile(file, options.hashMib);
      const vouch: Command = {
        name: 'vouch digest',
        file: process.execPath,
        args: [join(REPO, 'bin', 'vouch.js'), 'digest', file],
      };
      const openssl: Command = {
        name: 'openssl dgst -sha256',
        file: 'openssl',
        args: ['dgst', '-sha256', file],
      };
      if (digestOf(vouch) !== digestOf(openssl)) throw new Error('hashing: the digests differ');
      const rounds = Math.min(options.rounds, MAX_ROUNDS);
      log(`hashing: ${rounds} rounds of ${options.hashMib} MiB each`);
      const measured = compareProcesses('sha256', [vouch, openssl], rounds).map((m) => ({
        ...m,
        // runs/s to MiB/s
        opsPerSec: m.opsPerSec * options.hashMib,
        rounds: m.rounds.map((r) => r * options.hashMib),
      }));
      const [v, o] = measured;
      if (v === undefined || o === undefined) throw new Error('hashing: no measurements');
      return {
        suite: this.name,
        description,
        measurements: measured,
        ratios: [
          {
            name: 'vouch digest/openssl throughput',
            value: pairedRatio(v, o),
            target: atLeast(0.9),
          },
        ],
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
