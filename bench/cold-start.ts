/**
 * Cold start: a CI gate runs Vouch as a fresh process for every check, so what counts is the
 * wall time of the whole process, start-up included, against Node's own (`node -e 0`).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signStatement } from '../src/attestation/produce.js';
import { buildStatement } from '../src/attestation/statement.js';
import { generateKeyPair, loadPrivateKey } from '../src/crypto/keys.js';
import {
  atMost,
  type BenchOptions,
  pairedRatio,
  type Ratio,
  type Suite,
  type Target,
} from './harness.js';
import { type Command, compareProcesses, REPO } from './spawned.js';

const TEST_RESULT = 'https://example.com/test-result/v1';
const REVIEW = 'https://vouch.dev/attestation/vuln-review/v1';

const POLICY = `apiVersion: vouch/v1
kind: Policy
metadata: {name: cold-start}
spec:
  authorities:
    builder: {keys: [{file: builder.pub}]}
    security: {keys: [{file: security.pub}]}
  requirements:
    - name: tests
      predicateType: ${TEST_RESULT}
      signers: [builder]
      condition: predicate.passed == true && predicate.failures == 0
    - name: review
      predicateType: ${REVIEW}
      signers: [security]
      maxAge: 168h
      condition: predicate.decision == "approved"
`;

/** A policy, an artifact and 10 attestations the policy allows, in a fresh directory. */
function writeScenario(dir: string): void {
  const builder = generateKeyPair('ecdsa-p256');
  const security = generateKeyPair('ecdsa-p256');
  writeFileSync(join(dir, 'builder.pub'), builder.publicPem);
  writeFileSync(join(dir, 'security.pub'), security.publicPem);
  writeFileSync(join(dir, 'policy.yaml'), POLICY);
  const artifact = Buffer.alloc(1024 * 1024, 7);
  writeFileSync(join(dir, 'app.bin'), artifact);
  const subject = [{ name: 'app.bin', digest: { sha256: sha256(artifact) } }];
  mkdirSync(join(dir, 'attestations'));
  const reviewedAt = new Date(Date.now() - 3600_000).toISOString();
  for (let i = 0; i < 10; i++) {
    const statement =
      i % 2 === 0
        ? buildStatement(subject, TEST_RESULT, { passed: true, failures: 0, run: i })
        : buildStatement(subject, REVIEW, { decision: 'approved', reviewedAt, note: `${i}` });
    const key = loadPrivateKey((i % 2 === 0 ? builder : security).privatePem);
    writeFileSync(
      join(dir, 'attestations', `a${i}.dsse.json`),
      signStatement(statement, key, 'dsse'),
    );
  }
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** Targets in multiples of `node -e 0`: verify (10 attestations, allowed), and `--version`, which scripts ask first. */
const TARGETS: ReadonlyMap<string, Target> = new Map([
  ['vouch verify (10 attestations, allowed)', atMost(2.0)],
  ['vouch --version', atMost(1.25)],
]);

export const coldStartSuite: Suite = {
  name: 'cold-start',
  description:
    'whole-process wall time of the CLI (bin/vouch.js) per command, as a multiple of `node -e 0` (lower is better)',
  run(options: BenchOptions, log: (line: string) => void): ReturnType<Suite['run']> {
    const dir = mkdtempSync(join(tmpdir(), 'vouch-bench-cold-'));
    try {
      writeScenario(dir);
      const vouch = (name: string, ...args: string[]): Command => ({
        name,
        file: process.execPath,
        args: [join(REPO, 'bin', 'vouch.js'), ...args],
        cwd: dir,
      });
      const baseline: Command = { name: 'node -e 0', file: process.execPath, args: ['-e', '0'] };
      const commands = [
        baseline,
        vouch('vouch --version', '--version'),
        vouch('vouch --help', '--help'),
        vouch('vouch digest (1 MiB)', 'digest', 'app.bin'),
        vouch('vouch inspect', 'inspect', join('attestations', 'a0.dsse.json')),
        vouch('vouch policy lint', 'policy', 'lint', 'policy.yaml'),
        vouch(
          'vouch verify (10 attestations, allowed)',
          'verify',
          '--policy',
          'policy.yaml',
          '--artifact',
          'app.bin',
          '--attestations',
          'attestations',
        ),
      ];
      log(`cold-start: ${options.rounds} rounds of ${commands.length} processes`);
      const measured = compareProcesses('cold start', commands, options.rounds);
      const [node, ...cli] = measured;
      if (node === undefined) throw new Error('cold-start: no baseline');
      // Runs per second: the inverse ratio is the time ratio.
      const ratios: Ratio[] = cli.map((m) => {
        const target = TARGETS.get(m.contender);
        return {
          name: `${m.contender} wall / node -e 0`,
          value: 1 / pairedRatio(m, node),
          ...(target === undefined ? {} : { target }),
        };
      });
      return { suite: this.name, description: this.description, measurements: measured, ratios };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
