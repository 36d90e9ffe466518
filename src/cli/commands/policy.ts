import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { parseRfc3339 } from '../../encoding/rfc3339.js';
import { asVouchError, VouchError } from '../../errors.js';
import type { CompiledPolicy } from '../../policy/compile.js';
import { evaluatePolicy } from '../../policy/evaluate.js';
import { explainDecision } from '../../policy/explain.js';
import { lintPolicy } from '../../policy/lint.js';
import { caseMismatches, parsePolicyTestCase } from '../../policy/test-case.js';
import { readDocuments } from '../../sources/local.js';
import { configFormatOf, loadPolicyFile } from '../../sources/policy-file.js';
import { resolveArtifactArg } from '../../sources/subject-arg.js';
import type { Wrap } from '../action.js';
import { EXIT_DENIED, EXIT_ERROR, EXIT_OK, type Io } from '../output.js';
import { candidatesOf } from './verify.js';

export function registerPolicy(program: Command, io: Io, wrap: Wrap): void {
  const policy = program.command('policy').description('check and test policy files');
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
    .command('test')
    .description('run the fixture cases DIR/cases/*.yaml against DIR/policy.yaml')
    .argument('<dir>')
    .action(wrap(async (dir: string) => runPolicyTests(dir, io)));
}

const POLICY_NAMES = ['policy.yaml', 'policy.yml', 'policy.json'];
const CASE_FILE = /\.(ya?ml|json)$/;
const DIGEST_ARTIFACT = /^(?:[^/\\]+@)?(?:sha256|sha384|sha512):[0-9a-fA-F]+$/;

async function runPolicyTests(dir: string, io: Io): Promise<number> {
  const policyFiles = POLICY_NAMES.map((n) => join(dir, n)).filter((p) => existsSync(p));
  const [policyFile] = policyFiles;
  if (policyFiles.length !== 1 || policyFile === undefined) {
    throw new VouchError('USAGE', `${dir} must hold exactly one of ${POLICY_NAMES.join(', ')}`, {
      hint: 'docs/policy.md describes the layout',
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
  let passed = 0;
  let failed = 0;
  let errors = 0;
  for (const name of cases) {
    const file = join(casesDir, name);
    try {
      const { problems, explanation } = await runCase(policy, file);
      if (problems.length === 0) {
        passed++;
        io.out(`PASS  ${file}\n`);
      } else {
        failed++;
        io.out(`FAIL  ${file}: ${problems.join('; ')}\n`);
        io.out(explanation.replace(/^(?=.)/gm, '      | '));
      }
    } catch (err) {
      errors++;
      io.out(`ERROR ${file}: ${asVouchError(err).describe()}\n`);
    }
  }
  io.out(`policy test: ${passed} passed, ${failed} failed, ${errors} errors\n`);
  return errors > 0 ? EXIT_ERROR : failed > 0 ? EXIT_DENIED : EXIT_OK;
}

/** Runs one case: its mismatches, and the decision explained for when there are some. */
async function runCase(
  policy: CompiledPolicy,
  file: string,
): Promise<{ problems: string[]; explanation: string }> {
  const testCase = parsePolicyTestCase({
    name: file,
    text: readFileSync(file),
    format: configFormatOf(file),
  });
  const base = dirname(file);
  const artifact = await resolveArtifactArg(
    DIGEST_ARTIFACT.test(testCase.artifact) ? testCase.artifact : resolve(base, testCase.artifact),
  );
  const documents = candidatesOf(readDocuments(testCase.attestations.map((p) => resolve(base, p))));
  const at = parseRfc3339(testCase.at) ?? new Date(Number.NaN);
  const decision = evaluatePolicy(policy, { artifact, documents, at });
  return {
    problems: caseMismatches(testCase, decision),
    explanation: explainDecision(decision),
  };
}
