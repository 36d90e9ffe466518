import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { parseRfc3339 } from '../../encoding/rfc3339.js';
import { escapeTerminal } from '../../encoding/terminal-text.js';
import { VouchError } from '../../errors.js';
import type { CompiledPolicy } from '../../policy/compile.js';
import type { Decision, SkippedInput } from '../../policy/decision.js';
import { explainDecision } from '../../policy/explain.js';
import { lintPolicy } from '../../policy/lint.js';
import { caseMismatches, parsePolicyTestCase } from '../../policy/test-case.js';
import { localSource } from '../../sources/local.js';
import { configFormatOf, loadPolicyFile } from '../../sources/policy-file.js';
import { verify } from '../../verify.js';
import type { Wrap } from '../action.js';
import {
  describeErrorJson,
  type ErrorJson,
  EXIT_DENIED,
  EXIT_ERROR,
  EXIT_OK,
  errorJsonOf,
  type Io,
  outputOption,
  type ReportFormat,
} from '../output.js';

export function registerPolicy(policy: Command, io: Io, wrap: Wrap): void {
  policy
    .command('lint')
    .description('validate a policy; warn about legal but risky choices')
    .argument('<policy>')
    .action(
      wrap((file: string) => {
        const compiled = loadPolicyFile(file);
        const warnings = lintPolicy(compiled);
        for (const w of warnings) io.out(`warning: ${file} ${w.path}: ${w.message}\n`);
        io.out(
          `${file}: policy ${compiled.name} is valid (${compiled.requirements.length} requirement(s), ${warnings.length} warning(s))\n`,
        );
        return EXIT_OK;
      }),
    );
  policy
    .command('digest')
    .description(
      'print the policy digest (policy file and trusted keys), as decisions and VSAs name it',
    )
    .argument('<policy>')
    .action(
      wrap((file: string) => {
        io.out(`sha256:${loadPolicyFile(file).digest.sha256}\n`);
        return EXIT_OK;
      }),
    );
  policy
    .command('test')
    .description(
      'run the fixture cases DIR/cases/*.yaml against DIR/policy.yaml (DIR, or the policy file in it)',
    )
    .argument('<dir-or-policy>')
    .addOption(outputOption())
    .action(
      wrap(async (target: string, opts: { output: ReportFormat }) => {
        const report = await runPolicyTests(target);
        if (opts.output === 'json') io.out(`${JSON.stringify(report, null, 2)}\n`);
        else printReport(report, io);
        return report.errors > 0 ? EXIT_ERROR : report.failed > 0 ? EXIT_DENIED : EXIT_OK;
      }),
    );
}

const POLICY_NAMES = ['policy.yaml', 'policy.yml', 'policy.json'];

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
const CASE_FILE = /\.(ya?ml|json)$/;
const DIGEST_ARTIFACT = /^(?:[^/\\]+@)?(?:sha256|sha384|sha512):[0-9a-fA-F]+$/;

/** What `vouch policy test --output json` prints (docs/json-output.md). */
export interface PolicyTestReport {
  readonly policy: string;
  readonly passed: number;
  readonly failed: number;
  readonly errors: number;
  readonly cases: readonly CaseResult[];
}

export interface CaseResult {
  readonly file: string;
  readonly result: 'pass' | 'fail' | 'error';
  /** How the decision differs from what the case expects; empty when it passes. */
  readonly problems: readonly string[];
  /** The decision (docs/decision.md); null when the case could not run. */
  readonly decision: Decision | null;
  /** Attestation entries that were not read (special files, over a limit). */
  readonly skipped: readonly SkippedInput[];
  readonly error: ErrorJson | null;
}

async function runPolicyTests(target: string): Promise<PolicyTestReport> {
  // The policy file itself names its directory: cases are beside it, in cases/.
  const named = isFile(target);
  const dir = named ? dirname(target) : target;
  const policyFiles = named
    ? [target]
    : POLICY_NAMES.map((n) => join(dir, n)).filter((p) => existsSync(p));
  const [policyFile] = policyFiles;
  if (policyFiles.length !== 1 || policyFile === undefined) {
    throw new VouchError('USAGE', `${dir} must hold exactly one of ${POLICY_NAMES.join(', ')}`, {
      hint: 'docs/policy.md describes the layout; or name the policy file itself',
    });
  }
  const policy = loadPolicyFile(policyFile);
  const casesDir = join(dir, 'cases');
  const cases = existsSync(casesDir)
    ? readdirSync(casesDir)
        .filter((f) => CASE_FILE.test(f))
        .sort()
    : [];
  if (cases.length === 0) {
    throw new VouchError('USAGE', `no test cases in ${casesDir}`, {
      hint: 'add cases/NAME.yaml files (docs/policy.md)',
    });
  }
  const results: CaseResult[] = [];
  for (const name of cases) {
    const file = join(casesDir, name);
    try {
      const { problems, decision, skipped } = await runCase(policy, file);
      const result = problems.length === 0 ? 'pass' : 'fail';
      results.push({ file, result, problems, decision, skipped, error: null });
    } catch (err) {
      results.push({
        file,
        result: 'error',
        problems: [],
        decision: null,
        skipped: [],
        error: errorJsonOf(err),
      });
    }
  }
  const count = (result: CaseResult['result']) => results.filter((c) => c.result === result).length;
  return {
    policy: policyFile,
    passed: count('pass'),
    failed: count('fail'),
    errors: count('error'),
    cases: results,
  };
}

function printReport(report: PolicyTestReport, io: Io): void {
  for (const c of report.cases) {
    if (c.error !== null) {
      io.out(`ERROR ${escapeTerminal(c.file)}: ${describeErrorJson(c.error)}\n`);
    } else if (c.result === 'pass') {
      io.out(`PASS  ${escapeTerminal(c.file)}\n`);
    } else {
      io.out(`FAIL  ${escapeTerminal(`${c.file}: ${c.problems.join('; ')}`)}\n`);
      if (c.decision !== null) {
        const explained = explainDecision(c.decision, { skipped: c.skipped });
        io.out(explained.replace(/^(?=.)/gm, '      | '));
      }
    }
  }
  io.out(
    `policy test: ${report.passed} passed, ${report.failed} failed, ${report.errors} errors\n`,
  );
}

/** Runs one case: its decision and how it differs from what the case expects. */
async function runCase(
  policy: CompiledPolicy,
  file: string,
): Promise<{ problems: string[]; decision: Decision; skipped: SkippedInput[] }> {
  const testCase = parsePolicyTestCase({
    name: file,
    text: readFileSync(file),
    format: configFormatOf(file),
  });
  const base = dirname(file);
  const { decision } = await verify({
    policy,
    artifact: DIGEST_ARTIFACT.test(testCase.artifact)
      ? testCase.artifact
      : resolve(base, testCase.artifact),
    sources: [localSource(testCase.attestations.map((p) => resolve(base, p)))],
    at: parseRfc3339(testCase.at) ?? new Date(Number.NaN),
  });
  const { skipped = [], ...verdict } = decision;
  return { problems: caseMismatches(testCase, verdict), decision: verdict, skipped: [...skipped] };
}
