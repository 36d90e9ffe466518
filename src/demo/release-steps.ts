import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Outcome } from './outcome.js';
import {
  APP_FILES,
  ARTIFACT,
  gatePolicy,
  githubEnvironment,
  grypeReport,
  RELEASE_POLICY,
  REPOSITORY,
} from './sample-data.js';
import type { Scenario } from './scenario.js';
import { tarGz } from './tarball.js';

const HOUR = 3600 * 1000;
/** A fixed build time in the archive: the same app always packs to the same digest. */
const BUILD_MTIME = Date.UTC(2026, 10, 23, 9, 58) / 1000;

/**
 * The release as it should go: built, attested by builder, scanner and two reviewers,
 * allowed by the release policy, the decision signed as a VSA and accepted by a deploy gate.
 */
export async function releaseSteps(s: Scenario): Promise<void> {
  await build(s);
  await keys(s);
  await provenance(s);
  await scan(s);
  await review(s, 'alice');
  await review(s, 'bob');
  await policy(s);
  await verifyRelease(s);
  await emitVsa(s);
  await deployGate(s);
}

async function build(s: Scenario): Promise<void> {
  await s.step(
    {
      name: 'build',
      title: 'Build the release',
      story: [
        `CI packs the app into ${ARTIFACT}. Every claim below is about this file's`,
        'digest, never its name: change one byte and no claim applies to it any more.',
      ],
      expected: 'ok',
      setup: true,
    },
    async () => {
      const sh = s.shell;
      for (const [name, text] of Object.entries(APP_FILES)) {
        mkdirSync(join(sh.dir, name, '..'), { recursive: true });
        writeFileSync(sh.path(name), text);
      }
      mkdirSync(sh.path('dist'));
      writeFileSync(sh.path(ARTIFACT), tarGz(APP_FILES, BUILD_MTIME));
      sh.comment(`tar czf ${ARTIFACT} app/`);
      return s.command(await sh.vouch(['digest', sh.path(ARTIFACT)]));
    },
  );
}

async function keys(s: Scenario): Promise<void> {
  await s.step(
    {
      name: 'keys',
      title: 'Make a key for everyone who signs',
      story: [
        'The builder (CI) signs provenance, the scanner signs scan reports, alice and bob',
        'sign reviews, and the verifier signs the final verdict. Private keys stay with',
        'their owners; the policy lists the public keys it trusts for each claim.',
      ],
      expected: 'ok',
      setup: true,
    },
    async () => {
      const sh = s.shell;
      mkdirSync(sh.path('keys'));
      let actual: Outcome = 'ok';
      for (const who of ['builder', 'scanner', 'alice', 'bob', 'verifier']) {
        const run = await sh.vouch(['keygen', '--out', sh.path('keys', who)]);
        if (run.code !== 0) actual = 'error';
      }
      return { actual };
    },
  );
}

async function provenance(s: Scenario): Promise<void> {
  await s.step(
    {
      name: 'provenance',
      title: 'The builder signs SLSA provenance',
      story: [
        'In GitHub Actions, `vouch provenance` reads the runner variables to record which',
        'repository, tag and commit which workflow built (set here on the command line;',
        "this machine's own environment is never read).",
      ],
      expected: 'ok',
      setup: true,
    },
    async () => {
      const sh = s.shell;
      mkdirSync(sh.path('attestations'));
      return s.command(
        await sh.vouch(
          [
            'provenance',
            '--subject',
            sh.path(ARTIFACT),
            '--key',
            sh.path('keys/builder.key'),
            '--out',
            sh.path('attestations/provenance.dsse.json'),
          ],
          { env: githubEnvironment(REPOSITORY) },
        ),
      );
    },
  );
}

async function scan(s: Scenario): Promise<void> {
  await s.step(
    {
      name: 'scan',
      title: "The scanner's report becomes a signed attestation",
      story: [
        'CI scans the app with grype (the demo ships the report it wrote) and signs the',
        'findings as an in-toto vulns attestation about the release file. A scan with',
        'findings is evidence, not a verdict: the verdict is the review.',
      ],
      expected: 'ok',
      setup: true,
    },
    async () => {
      const sh = s.shell;
      const scannedAt = new Date(s.started - 0.25 * HOUR).toISOString();
      const dbBuilt = new Date(s.started - 20 * HOUR).toISOString();
      writeFileSync(
        sh.path('grype.json'),
        `${JSON.stringify(grypeReport(scannedAt, dbBuilt), null, 2)}\n`,
      );
      sh.comment('grype dir:app -o json > grype.json');
      return s.command(
        await sh.vouch([
          'scan',
          'import',
          '--format',
          'grype',
          sh.path('grype.json'),
          '--subject',
          sh.path(ARTIFACT),
          '--key',
          sh.path('keys/scanner.key'),
          '--out',
          sh.path('attestations/scan.dsse.json'),
        ]),
      );
    },
  );
}

async function review(s: Scenario, who: 'alice' | 'bob'): Promise<void> {
  const first = who === 'alice';
  await s.step(
    {
      name: `review-${who}`,
      title: `${who === 'alice' ? 'Alice' : 'Bob'} reviews the scan and approves it`,
      story: first
        ? [
            '`vouch review` verifies the scan against scanner.pub before showing anything,',
            'lists the findings, and signs the decision with the triage: the positive',
            'statement "this release is fine", naming the exact scan by digest.',
          ]
        : ['The policy wants two reviewers, so bob reviews the same scan with his own key.'],
      expected: 'ok',
      setup: true,
    },
    async () => {
      const sh = s.shell;
      return s.command(
        await sh.vouch([
          'review',
          '--scan',
          sh.path('attestations/scan.dsse.json'),
          '--scan-key',
          sh.path('keys/scanner.pub'),
          '--reviewer',
          `${who}@acme.example`,
          '--key',
          sh.path('keys', `${who}.key`),
          '--decision',
          'approved',
          '--triage',
          'CVE-2024-37890=not_affected:vulnerable_code_not_in_execute_path',
          '--triage',
          'CVE-2024-21538=affected:upgrade cross-spawn to 7.0.5 in 1.4.3',
          '--out',
          sh.path('attestations', `${who}.review.dsse.json`),
        ]),
      );
    },
  );
}

async function policy(s: Scenario): Promise<void> {
  await s.step(
    {
      name: 'policy',
      title: 'The policy: what a release needs',
      story: [
        'Provenance signed by the builder, from acme/app at a release tag; and approved',
        'reviews from two distinct security keys, each at most 7 days old. Nothing else',
        'counts, and nothing can subtract: there is no way to say "deny if X exists".',
      ],
      expected: 'ok',
      setup: true,
    },
    async () => {
      const sh = s.shell;
      writeFileSync(sh.path('policy.yaml'), RELEASE_POLICY);
      sh.comment('cat policy.yaml');
      sh.print(RELEASE_POLICY.replace(/\n$/, '').replace(/^/gm, '    '));
      sh.print();
      return s.command(await sh.vouch(['policy', 'lint', sh.path('policy.yaml')]));
    },
  );
}

async function verifyRelease(s: Scenario): Promise<void> {
  await s.step(
    {
      name: 'verify-allowed',
      title: 'Verify the release: allowed',
      story: [
        'Vouch checks every signature against the keys the policy names, then each',
        'requirement: type, subject digest, signer, age and condition.',
      ],
      expected: 'allowed',
    },
    () => s.decide(s.release('attestations')),
  );
}

async function emitVsa(s: Scenario): Promise<void> {
  await s.step(
    {
      name: 'vsa-passed',
      title: 'Sign the decision: a SLSA verification summary (VSA)',
      story: [
        '--emit-vsa signs the verdict itself: PASSED, the policy digest, the attestations',
        'examined. Later stages can trust this one summary instead of re-checking all.',
      ],
      expected: 'allowed',
    },
    async () => {
      const sh = s.shell;
      mkdirSync(sh.path('vsa'));
      const vsa = sh.path('vsa/release.vsa.dsse.json');
      const result = await s.decide(s.release('attestations'), s.vsaFlags(vsa));
      const check = await sh.vouch(['verify-envelope', '--key', sh.path('keys/verifier.pub'), vsa]);
      const shown = await sh.vouch(['inspect', vsa]);
      return check.code === 0 && shown.code === 0 ? result : { actual: 'error' };
    },
  );
}

async function deployGate(s: Scenario): Promise<void> {
  await s.step(
    {
      name: 'gate-passed',
      title: 'A deploy gate trusts the summary',
      story: [
        'The deploy stage has its own policy: a PASSED VSA from the verifier key, made',
        'under exactly this release policy (by digest), at most 24 hours old.',
      ],
      expected: 'allowed',
    },
    async () => {
      const sh = s.shell;
      const digest = await sh.vouch(['policy', 'digest', sh.path('policy.yaml')]);
      const hex = /^sha256:([0-9a-f]{64})$/.exec(digest.stdout.trim())?.[1];
      if (hex === undefined) return { actual: 'error' };
      writeFileSync(sh.path('deploy-gate.yaml'), gatePolicy(hex));
      sh.comment('cat deploy-gate.yaml');
      sh.print(gatePolicy(hex).replace(/\n$/, '').replace(/^/gm, '    '));
      sh.print();
      return s.decide(s.gate('vsa/release.vsa.dsse.json'));
    },
  );
}
