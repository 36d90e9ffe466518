import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { VulnReviewPredicate } from '../../src/predicates/vuln-review.js';
import { makeArtifact, verifiedStatement } from '../support/attestations.js';
import { assertBuilt, VOUCH_BIN } from '../support/built-cli.js';
import { runCli, tempDir } from '../support/cli.js';
import { fixture } from '../support/fixtures.js';
import { REPO } from '../support/paths.js';
import { makeKeyFiles } from '../support/signing.js';

// Debian's python3 (pty is in its standard library), the one .ci/run provides.
const PYTHON = '/usr/bin/python3';
const PTY_SESSION = join(REPO, 'test', 'support', 'pty_session.py');

let dir: string;
let scanner: string;
let bob: string;
let scan: string;

beforeAll(async () => {
  assertBuilt();
  dir = tempDir();
  scanner = makeKeyFiles(dir, 'scanner').prefix;
  bob = makeKeyFiles(dir, 'bob').prefix;
  scan = join(dir, 'scan.dsse.json');
  const artifact = makeArtifact(dir);
  const imported = await runCli(
    'scan',
    'import',
    '--format',
    'trivy',
    fixture('scanners', 'trivy.json'),
    '--subject',
    artifact,
    '--key',
    `${scanner}.key`,
    '--out',
    scan,
  );
  expect(imported.code).toBe(0);
});

describe('vouch review at a terminal', () => {
  it('asks on its own when standard input and error are a terminal and no --decision is given', () => {
    const out = join(dir, 'review.dsse.json');
    // trivy.json has 7 distinct vulnerabilities; triage the critical one, skip the rest.
    const answers = ['n', 'component_not_present', 's', 's', 's', 's', 's', 's', 'a', ''];
    const run = spawnSync(
      PYTHON,
      [
        PTY_SESSION,
        out,
        JSON.stringify(answers),
        '--',
        process.execPath,
        VOUCH_BIN,
        'review',
        '--scan',
        scan,
        '--scan-key',
        `${scanner}.pub`,
        '--reviewer',
        'bob@example.com',
        '--key',
        `${bob}.key`,
      ],
      { encoding: 'utf8', timeout: 90_000 },
    );
    const transcript = run.stdout;
    expect(run.status, transcript + run.stderr).toBe(0);
    expect(transcript).toContain('[1/7] CVE-2022-48174  critical');
    expect(transcript).toContain('status [n/a/f/u/s]? n');
    expect(transcript).toContain('(a)pprove or (r)eject this scan, (q)uit without signing? a');
    const statement = verifiedStatement(out, `${bob}.pub`);
    const review = statement.predicate as unknown as VulnReviewPredicate;
    expect(review.decision).toBe('approved');
    expect(review.reviewer).toEqual({ id: 'bob@example.com' });
    expect(review.triage).toEqual([
      {
        vulnerability: 'CVE-2022-48174',
        status: 'not_affected',
        justification: 'component_not_present',
      },
    ]);
  });
});
