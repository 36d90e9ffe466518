import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Decision } from '../policy/decision.js';
import {
  type DemoStep,
  decisionOutcome,
  denialReasons,
  divergences,
  judgeStep,
  type Outcome,
} from './outcome.js';
import {
  APP_FILES,
  APP_VERSION,
  gatePolicy,
  githubEnvironment,
  grypeReport,
  RELEASE_POLICY,
  REPOSITORY,
} from './sample-data.js';
import { type CliRun, type DemoOutput, DemoShell } from './shell.js';
import { tarGz } from './tarball.js';

export interface DemoOptions {
  /** Where the story is printed. */
  readonly io: DemoOutput;
  /** Keep the temporary directory (its path is printed) instead of removing it. */
  readonly keep?: boolean;
}

export interface DemoResult {
  readonly steps: readonly DemoStep[];
  /** Every step went as expected. */
  readonly ok: boolean;
  readonly dir: string;
}

const HOUR = 3600 * 1000;
const ARTIFACT = `dist/app-${APP_VERSION}.tgz`;
const BUILD_MTIME = Date.UTC(2026, 10, 23, 9, 58) / 1000;

/**
 * The end-to-end demo: a release is built, attested by its builder, scanner and two
 * reviewers, allowed by a policy, its decision signed as a VSA; then the fail-closed cases
 * are denied. Every step runs the real CLI in a temporary directory.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-demo-'));
  const demo = new Demo(new DemoShell(dir, options.io));
  try {
    await demo.run();
  } catch (err) {
    if (!(err instanceof StepFailed)) throw err;
    demo.shell.print(`Stopped: step ${err.step} failed, so the steps after it cannot run.`);
  } finally {
    demo.summarise();
    if (options.keep === true) {
      demo.shell.printAbsolute(`Kept the demo directory: cd ${dir}`);
    } else {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { steps: demo.steps, ok: demo.ok(), dir };
}

class StepFailed extends Error {
  constructor(readonly step: string) {
    super(`demo step ${step} failed`);
  }
}

interface StepResult {
  readonly actual: Outcome;
  readonly reasons?: readonly string[];
}

interface StepPlan {
  readonly name: string;
  readonly title: string;
  /** What happens and why, for a newcomer. */
  readonly story: readonly string[];
  readonly expected: Outcome;
  readonly because?: readonly string[];
  /** Setup steps stop the demo when they fail: nothing after them would mean anything. */
  readonly setup?: boolean;
}

class Demo {
  readonly steps: DemoStep[] = [];
  private readonly started = Date.now();
  private completed = false;

  constructor(readonly shell: DemoShell) {}

  /** Every step ran (none stopped the demo) and went as expected. */
  ok(): boolean {
    return this.completed && this.steps.every((s) => s.ok);
  }

  async run(): Promise<void> {
    const sh = this.shell;
    sh.print('Vouch demo: a release, its evidence, a policy, and what fails closed.');
    sh.print('Every command below is the real vouch CLI, run in a temporary directory:');
    sh.printAbsolute(`  cd ${sh.dir}`);
    await this.build();
    await this.keys();
    await this.provenance();
    await this.scan();
    await this.review('alice');
    await this.review('bob');
    await this.policy();
    await this.verifyRelease();
    await this.emitVsa();
    await this.deployGate();
    sh.print();
    sh.print('=== Fail closed: deleting, ageing, forging or swapping evidence never allows ===');
    await this.reviewDeleted();
    await this.reviewExpired();
    await this.otherRepository();
    await this.otherArtifact();
    await this.failedVsa();
    await this.gateRefusesFailed();
    this.completed = true;
  }

  private async build(): Promise<void> {
    await this.step(
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
        const sh = this.shell;
        for (const [name, text] of Object.entries(APP_FILES)) {
          mkdirSync(join(sh.dir, name, '..'), { recursive: true });
          writeFileSync(sh.path(name), text);
        }
        mkdirSync(sh.path('dist'));
        writeFileSync(sh.path(ARTIFACT), tarGz(APP_FILES, BUILD_MTIME));
        sh.comment(`tar czf ${ARTIFACT} app/`);
        return this.command(await sh.vouch(['digest', sh.path(ARTIFACT)]));
      },
    );
  }

  private async keys(): Promise<void> {
    await this.step(
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
        const sh = this.shell;
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

  private async provenance(): Promise<void> {
    await this.step(
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
        const sh = this.shell;
        mkdirSync(sh.path('attestations'));
        return this.command(
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

  private async scan(): Promise<void> {
    await this.step(
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
        const sh = this.shell;
        const scannedAt = new Date(this.started - 0.25 * HOUR).toISOString();
        const dbBuilt = new Date(this.started - 20 * HOUR).toISOString();
        writeFileSync(
          sh.path('grype.json'),
          `${JSON.stringify(grypeReport(scannedAt, dbBuilt), null, 2)}\n`,
        );
        sh.comment('grype dir:app -o json > grype.json');
        return this.command(
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

  private async review(who: 'alice' | 'bob'): Promise<void> {
    const first = who === 'alice';
    await this.step(
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
        const sh = this.shell;
        return this.command(
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

  private async policy(): Promise<void> {
    await this.step(
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
        const sh = this.shell;
        writeFileSync(sh.path('policy.yaml'), RELEASE_POLICY);
        sh.comment('cat policy.yaml');
        sh.print(RELEASE_POLICY.replace(/\n$/, '').replace(/^/gm, '    '));
        sh.print();
        return this.command(await sh.vouch(['policy', 'lint', sh.path('policy.yaml')]));
      },
    );
  }

  private async verifyRelease(): Promise<void> {
    await this.step(
      {
        name: 'verify-allowed',
        title: 'Verify the release: allowed',
        story: [
          'Vouch checks every signature against the keys the policy names, then each',
          'requirement: type, subject digest, signer, age and condition.',
        ],
        expected: 'allowed',
      },
      () => this.decide(this.release('attestations')),
    );
  }

  private async emitVsa(): Promise<void> {
    await this.step(
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
        const sh = this.shell;
        mkdirSync(sh.path('vsa'));
        const vsa = sh.path('vsa/release.vsa.dsse.json');
        const result = await this.decide(this.release('attestations'), this.vsaFlags(vsa));
        const check = await sh.vouch([
          'verify-envelope',
          '--key',
          sh.path('keys/verifier.pub'),
          vsa,
        ]);
        const shown = await sh.vouch(['inspect', vsa]);
        return check.code === 0 && shown.code === 0 ? result : { actual: 'error' };
      },
    );
  }

  private async deployGate(): Promise<void> {
    await this.step(
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
        const sh = this.shell;
        const digest = await sh.vouch(['digest', sh.path('policy.yaml')]);
        const hex = createHash('sha256')
          .update(readFileSync(sh.path('policy.yaml')))
          .digest('hex');
        if (digest.stdout.trim() !== `sha256:${hex}`) return { actual: 'error' };
        writeFileSync(sh.path('deploy-gate.yaml'), gatePolicy(hex));
        sh.comment('cat deploy-gate.yaml');
        sh.print(gatePolicy(hex).replace(/\n$/, '').replace(/^/gm, '    '));
        sh.print();
        return this.decide(this.gate('vsa/release.vsa.dsse.json'));
      },
    );
  }

  private async reviewDeleted(): Promise<void> {
    await this.step(
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
        const sh = this.shell;
        const copy = sh.path('cases/review-deleted');
        cpSync(sh.path('attestations'), copy, { recursive: true });
        rmSync(join(copy, 'bob.review.dsse.json'));
        sh.comment(
          'cp -r attestations cases/review-deleted && rm cases/review-deleted/bob.review.dsse.json',
        );
        return this.decide(this.release('cases/review-deleted'));
      },
    );
  }

  private async reviewExpired(): Promise<void> {
    const later = new Date(this.started + 8 * 24 * HOUR);
    later.setUTCMilliseconds(0);
    await this.step(
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
        this.decide([
          ...this.release('attestations'),
          '--at',
          later.toISOString().replace('.000Z', 'Z'),
        ]),
    );
  }

  private async otherRepository(): Promise<void> {
    await this.step(
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
        const sh = this.shell;
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
        return this.decide(this.release('cases/other-repo'));
      },
    );
  }

  private async otherArtifact(): Promise<void> {
    await this.step(
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
        const sh = this.shell;
        mkdirSync(sh.path('tampered'));
        const tampered = sh.path('tampered', `app-${APP_VERSION}.tgz`);
        writeFileSync(tampered, Buffer.concat([readFileSync(sh.path(ARTIFACT)), Buffer.from('x')]));
        sh.comment(`cp ${ARTIFACT} tampered/ && printf x >> tampered/app-${APP_VERSION}.tgz`);
        return this.decide([
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

  private async failedVsa(): Promise<void> {
    await this.step(
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
        this.decide(
          this.release('cases/review-deleted'),
          this.vsaFlags(this.shell.path('vsa/review-deleted.vsa.dsse.json')),
        ),
    );
  }

  private async gateRefusesFailed(): Promise<void> {
    await this.step(
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
      () => this.decide(this.gate('vsa/review-deleted.vsa.dsse.json')),
    );
  }

  /** `verify` arguments for the release policy over the attestations in `where`. */
  private release(where: string): string[] {
    const sh = this.shell;
    return [
      '--policy',
      sh.path('policy.yaml'),
      '--artifact',
      sh.path(ARTIFACT),
      '--attestations',
      sh.path(where),
    ];
  }

  private gate(vsa: string): string[] {
    const sh = this.shell;
    return [
      '--policy',
      sh.path('deploy-gate.yaml'),
      '--artifact',
      sh.path(ARTIFACT),
      '--attestations',
      sh.path(vsa),
    ];
  }

  private vsaFlags(out: string): string[] {
    return ['--emit-vsa', '--key', this.shell.path('keys/verifier.key'), '--vsa-out', out];
  }

  /**
   * Runs `vouch verify` as a user would (text output, shown), then the same decision as JSON
   * (not shown) to check that it denies for the reason the step is about.
   */
  private async decide(args: readonly string[], vsa: readonly string[] = []): Promise<StepResult> {
    const shown = await this.shell.vouch(['verify', ...args, ...vsa]);
    const actual = decisionOutcome(shown.code);
    if (actual === 'error') return { actual };
    const json = await this.shell.vouch(['verify', ...args, '--output', 'json'], { quiet: true });
    if (decisionOutcome(json.code) !== actual) return { actual: 'error' };
    return { actual, reasons: denialReasons(JSON.parse(json.stdout) as Decision) };
  }

  private command(run: CliRun): StepResult {
    return { actual: run.code === 0 ? 'ok' : 'error' };
  }

  private async step(plan: StepPlan, body: () => Promise<StepResult>): Promise<void> {
    const sh = this.shell;
    sh.print();
    sh.print(`--- ${this.steps.length + 1}. ${plan.title} ---`);
    for (const line of plan.story) sh.print(line);
    sh.print();
    let result: StepResult;
    try {
      result = await body();
    } catch (err) {
      sh.print(`  (the demo itself failed: ${err instanceof Error ? err.message : String(err)})`);
      result = { actual: 'error' };
    }
    const step = judgeStep({
      name: plan.name,
      title: plan.title,
      expected: plan.expected,
      actual: result.actual,
      expectedReasons: plan.because ?? [],
      reasons: result.reasons ?? [],
    });
    this.steps.push(step);
    const why = step.expectedReasons.length === 0 ? '' : ` (${step.expectedReasons.join(', ')})`;
    sh.print(
      step.ok
        ? `  => ${step.actual}${why}, as expected`
        : `  => UNEXPECTED: ${divergences([step]).join('')}`,
    );
    if (!step.ok && plan.setup === true) throw new StepFailed(plan.name);
  }

  summarise(): void {
    const sh = this.shell;
    sh.print();
    sh.print('=== Summary ===');
    for (const s of this.steps) {
      sh.print(
        `  ${s.ok ? 'ok  ' : 'FAIL'}  ${s.name.padEnd(22)} expected ${s.expected.padEnd(8)} got ${s.actual}`,
      );
    }
    const diverged = divergences(this.steps);
    if (this.ok()) {
      sh.print(`All ${this.steps.length} steps went as expected.`);
    } else {
      sh.print(`The demo diverged from what it should show (${diverged.length} step(s)):`);
      for (const d of diverged) sh.print(`  ${d}`);
      if (!this.completed) sh.print('  and the demo stopped before its last step');
    }
  }
}
