import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_VERSION, ARTIFACT, githubEnvironment } from './sample-data.js';
import type { Scenario } from './scenario.js';

const DAY = 24 * 3600 * 1000;

/**
 * What fails closed: deleted, aged, misattributed or misapplied evidence, and a FAILED
 * summary, each denied for its own reason. Runs after the release steps, on their evidence.
 */
export async function failClosedSteps(s: Scenario): Promise<void> {
  await reviewDeleted(s);
  await reviewExpired(s);
  await otherRepository(s);
  await otherArtifact(s);
  await failedVsa(s);
  await gateRefusesFailed(s);
}

async function reviewDeleted(s: Scenario): Promise<void> {
  await s.step(
    {
      name: 'review-deleted',
      title: "Bob's review is deleted: denied",
      story: [
        'Whoever controls storage can delete or hide attestations. Vouch cannot tell a',
        'deleted review from one never written, and need not: two reviewers are required,',
        "only alice's review is left, so the requirement is not met.",
      ],
      expected: 'denied',
      because: ['vuln-review BELOW_THRESHOLD'],
    },
    async () => {
      const sh = s.shell;
      const copy = sh.path('cases/review-deleted');
      cpSync(sh.path('attestations'), copy, { recursive: true });
      rmSync(join(copy, 'bob.review.dsse.json'));
      sh.comment(
        'cp -r attestations cases/review-deleted && rm cases/review-deleted/bob.review.dsse.json',
      );
      return s.decide(s.release('cases/review-deleted'));
    },
  );
}

async function reviewExpired(s: Scenario): Promise<void> {
  const later = new Date(s.started + 8 * DAY);
  later.setUTCMilliseconds(0);
  await s.step(
    {
      name: 'review-expired',
      title: 'Eight days later the reviews are too old: denied',
      story: [
        '--at evaluates the same evidence as of a later time. The reviews are 8 days old',
        'then, over the policy maxAge of 168h: a review vouches for a bounded time only.',
      ],
      expected: 'denied',
      because: ['vuln-review EXPIRED'],
    },
    () =>
      s.decide([...s.release('attestations'), '--at', later.toISOString().replace('.000Z', 'Z')]),
  );
}

async function otherRepository(s: Scenario): Promise<void> {
  await s.step(
    {
      name: 'provenance-other-repo',
      title: 'Provenance from another repository: denied',
      story: [
        'The builder key signs builds of every repository on the CI. Here it signed',
        'provenance for this very file built from a fork, mallory/app. The signature and',
        "the digest are fine; the policy's condition on the source repository is not.",
      ],
      expected: 'denied',
      because: ['provenance CONDITION_FALSE'],
    },
    async () => {
      const sh = s.shell;
      const dir = sh.path('cases/other-repo');
      mkdirSync(dir, { recursive: true });
      for (const who of ['alice', 'bob']) {
        cpSync(
          sh.path('attestations', `${who}.review.dsse.json`),
          join(dir, `${who}.review.dsse.json`),
        );
      }
      sh.comment('cp attestations/*.review.dsse.json cases/other-repo/');
      const signed = await sh.vouch(
        [
          'provenance',
          '--subject',
          sh.path(ARTIFACT),
          '--key',
          sh.path('keys/builder.key'),
          '--out',
          join(dir, 'provenance.dsse.json'),
        ],
        { env: githubEnvironment('https://github.com/mallory/app') },
      );
      if (signed.code !== 0) return { actual: 'error' };
      return s.decide(s.release('cases/other-repo'));
    },
  );
}

async function otherArtifact(s: Scenario): Promise<void> {
  await s.step(
    {
      name: 'other-artifact',
      title: 'Genuine attestations, another artifact: denied',
      story: [
        'Someone swaps the release for a modified file of the same name and ships the',
        'genuine attestations with it. They are validly signed, but about the digest of',
        'the real release, not of this file.',
      ],
      expected: 'denied',
      because: ['provenance SUBJECT_MISMATCH', 'vuln-review SUBJECT_MISMATCH'],
    },
    async () => {
      const sh = s.shell;
      mkdirSync(sh.path('tampered'));
      const tampered = sh.path('tampered', `app-${APP_VERSION}.tgz`);
      writeFileSync(tampered, Buffer.concat([readFileSync(sh.path(ARTIFACT)), Buffer.from('x')]));
      sh.comment(`cp ${ARTIFACT} tampered/ && printf x >> tampered/app-${APP_VERSION}.tgz`);
      return s.decide([
        '--policy',
        sh.path('policy.yaml'),
        '--artifact',
        tampered,
        '--attestations',
        sh.path('attestations'),
      ]);
    },
  );
}

async function failedVsa(s: Scenario): Promise<void> {
  await s.step(
    {
      name: 'vsa-failed',
      title: 'A denial is signed too: a FAILED summary',
      story: [
        'With --emit-vsa a deny still exits 1 and writes a summary saying FAILED, so the',
        'record of the decision exists either way.',
      ],
      expected: 'denied',
      because: ['vuln-review BELOW_THRESHOLD'],
    },
    () =>
      s.decide(
        s.release('cases/review-deleted'),
        s.vsaFlags(s.shell.path('vsa/review-deleted.vsa.dsse.json')),
      ),
  );
}

async function gateRefusesFailed(s: Scenario): Promise<void> {
  await s.step(
    {
      name: 'gate-failed',
      title: 'The deploy gate refuses a FAILED summary',
      story: [
        'The FAILED summary is validly signed by the verifier, for this artifact and this',
        'policy, but the gate requires verificationResult == "PASSED".',
      ],
      expected: 'denied',
      because: ['release-verified CONDITION_FALSE'],
    },
    () => s.decide(s.gate('vsa/review-deleted.vsa.dsse.json')),
  );
}
