import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VouchError } from '../../src/errors.js';
import type { CompiledPolicy } from '../../src/policy/compile.js';
import { compilePolicy } from '../../src/policy/compile.js';
import type { ConfigFormat } from '../../src/policy/config-text.js';
import { evaluatePolicy } from '../../src/policy/evaluate.js';
import {
  digestOf,
  dsse,
  makeKey,
  PROVENANCE,
  provenance,
  review,
  statementJson,
  VULN_REVIEW,
} from '../support/signing.js';
import { coded, fuzz, timed } from './budget.js';
import { mutatedJson, mutatedText } from './mutate.js';
import { PENDING, reaches } from './pending.js';

// Fuzz targets over the policy author's inputs: policy files, allow expressions and CEL
// conditions. A policy is ours, so junk must be a coded configuration error; one that
// compiles must decide every document without INTERNAL and in time.
const builder = makeKey();
const alice = makeKey('ed25519');
const artifact = { name: 'app.tar.gz', digest: digestOf('app v1 bytes') };
const at = new Date('2026-11-23T10:00:00Z');
const documents = [
  { bytes: dsse(statementJson(artifact.digest, PROVENANCE, provenance()), [builder]) },
  {
    bytes: dsse(statementJson(artifact.digest, VULN_REVIEW, review('2026-11-22T10:00:00Z')), [
      alice,
    ]),
  },
];
const KEY_FILES = new Map([
  ['keys/builder.pub', builder.pem],
  ['keys/alice.pub', alice.pem],
]);

const POLICY_YAML = `apiVersion: vouch/v1
kind: Policy
metadata: {name: production}
spec:
  clockSkew: 5m
  authorities:
    builder:  {keys: [{file: keys/builder.pub}]}
    security: {keys: [{file: keys/alice.pub}, {pem: ${JSON.stringify(alice.pem)}}]}
  requirements:
    - name: provenance
      predicateType: ${PROVENANCE}
      signers: [builder]
      condition: predicate.buildDefinition.externalParameters.workflow.repository == "https://github.com/acme/app"
    - name: vuln-review
      predicateType: ${VULN_REVIEW}
      signers: [security]
      threshold: 1
      maxAge: 168h
      condition: predicate.decision == "approved"
  allow: provenance && vuln-review
`;

const policyObject = (requirements: unknown[], allow?: string) => ({
  apiVersion: 'vouch/v1',
  kind: 'Policy',
  metadata: { name: 'fuzz' },
  spec: {
    authorities: {
      builder: { keys: [{ file: 'keys/builder.pub' }] },
      security: { keys: [{ file: 'keys/alice.pub' }] },
    },
    requirements,
    ...(allow === undefined ? {} : { allow }),
  },
});

function compile(text: string, format: ConfigFormat): CompiledPolicy | VouchError {
  return coded('compilePolicy', () =>
    compilePolicy(
      { name: 'policy', text, format },
      {
        readKeyFile: (file) => {
          const pem = KEY_FILES.get(file);
          if (pem === undefined) throw new VouchError('KEY_UNREADABLE', `no key file ${file}`);
          return pem;
        },
      },
    ),
  );
}

/** A compiled policy decides the documents without INTERNAL, in time. */
function expectDecides(policy: CompiledPolicy | VouchError): void {
  if (policy instanceof VouchError) {
    expect(['POLICY_INVALID', 'KEY_UNREADABLE', 'KEY_UNSUPPORTED', 'KEY_WEAK']).toContain(
      policy.code,
    );
    return;
  }
  const decision = timed('evaluatePolicy', () =>
    evaluatePolicy(policy, { artifact, documents, at }),
  );
  for (const r of decision.requirements) {
    expect(r.missing ?? '', r.missing).not.toMatch(/INTERNAL/);
    for (const x of r.rejected) expect(x.code, x.message).not.toBe('INTERNAL');
  }
}

const names = fc.constantFrom(
  'provenance',
  'vuln-review',
  'unknown',
  'a.b',
  '__proto__',
  'constructor',
  '1',
);
/** allow expressions: names, &&, ||, parentheses, stray tokens, and very deep or long ones. */
const allowExpression: fc.Arbitrary<string> = fc.oneof(
  { weight: 12, arbitrary: allowGrammar() },
  { weight: 1, arbitrary: deepAllow() },
  { weight: 3, arbitrary: mutatedText('provenance && (vuln-review || provenance)') },
);

function allowGrammar(): fc.Arbitrary<string> {
  return fc.letrec((tie) => ({
    e: fc.oneof(
      { depthSize: 'small' },
      names,
      fc
        .tuple(tie('e'), fc.constantFrom(' && ', ' || ', ' & ', ' ', ' ! '), tie('e'))
        .map((t) => t.join('')),
      tie('e').map((e) => `(${e})`),
      tie('e').map((e) => `!${e}`),
    ),
  })).e;
}

function deepAllow(): fc.Arbitrary<string> {
  const huge = reaches(PENDING.hugeAllowExpressions);
  return fc.oneof(
    fc
      .integer({ min: 1, max: huge ? 20_000 : 3000 })
      .map((n) => `${'('.repeat(n)}provenance${')'.repeat(n)}`),
    fc.integer({ min: 1, max: huge ? 300_000 : 20_000 }).map((n) => Array(n).fill('p').join('||')),
  );
}

/** CEL conditions: a small grammar over the variables, functions and macros a policy can use. */
const fields = fc.constantFrom(
  'predicate',
  'predicate.decision',
  'predicate.buildDefinition.externalParameters.workflow.repository',
  'predicate.summary.critical',
  'predicate.missing.deeper',
  'predicate["__proto__"]',
  'predicate.constructor',
  'subject.name',
  'subject.digest.sha256',
  'statement.subject',
  'predicateType',
  'signer.authority',
  'now',
);
const literal = fc.oneof(
  fc.integer({ min: -3, max: 3 }).map(String),
  fc.constantFrom(
    '"approved"',
    '""',
    '"https://github.com/acme/app"',
    '1.5',
    'true',
    'null',
    '9223372036854775807',
    'b"x"',
  ),
  fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 20 }).map((l) => `[${l.join(', ')}]`),
);
const celExpression: fc.Arbitrary<string> = fc.oneof(
  fc.letrec((tie) => ({
    e: fc.oneof(
      { depthSize: 'small' },
      fields,
      literal,
      fc
        .tuple(
          tie('e'),
          fc.constantFrom(' == ', ' != ', ' < ', ' && ', ' || ', ' + ', ' / ', ' % ', ' in '),
          tie('e'),
        )
        .map((t) => t.join('')),
      tie('e').map((e) => `!(${e})`),
      tie('e').map((e) => `size(${e})`),
      tie('e').map((e) => `has(${e}.x)`),
      fc
        .tuple(tie('e'), fc.constantFrom('startsWith', 'endsWith', 'contains', 'matches'))
        .map(([e, f]) => `${e}.${f}("a")`),
      fc
        .tuple(tie('e'), fc.constantFrom('all', 'exists', 'exists_one', 'map', 'filter'), tie('e'))
        .map(([l, m, e]) => `${l}.${m}(x, ${e})`),
      fc.tuple(literal, tie('e')).map(([l, e]) => `cel.bind(v, ${l}, ${e})`),
      fc.tuple(tie('e'), tie('e'), tie('e')).map(([a, b, c]) => `${a} ? ${b} : ${c}`),
      tie('e').map((e) => `int(${e})`),
      tie('e').map((e) => `timestamp(${e})`),
    ),
  })).e,
  mutatedText('predicate.decision == "approved" && size(predicate.summary) > 0'),
);

describe('fuzz: policies, allow expressions, CEL conditions', () => {
  it('the base policy compiles and allows (the oracle can see an allow)', () => {
    const policy = compile(POLICY_YAML, 'yaml');
    expect(policy).not.toBeInstanceOf(VouchError);
    const decision = evaluatePolicy(policy as CompiledPolicy, { artifact, documents, at });
    expect(decision.allowed).toBe(true);
  });

  it('policy files (YAML and JSON, byte and structure mutations)', () => {
    const json = JSON.parse(JSON.stringify(compileShape()));
    const arb = fc.oneof(
      mutatedText(POLICY_YAML).map((text) => [text, 'yaml'] as const),
      mutatedJson(json).map((j) => [JSON.stringify(j), 'json'] as const),
      mutatedText(JSON.stringify(json)).map((text) => [text, 'json'] as const),
    );
    fuzz('policies', 80, arb, ([text, format]) => expectDecides(compile(text, format)));
  });

  it('allow expressions', () => {
    const requirements = [
      { name: 'provenance', predicateType: PROVENANCE, signers: ['builder'] },
      { name: 'vuln-review', predicateType: VULN_REVIEW, signers: ['security'] },
      { name: 'p', predicateType: PROVENANCE, signers: ['builder'] },
    ];
    fuzz('allow', 150, allowExpression, (allow) =>
      expectDecides(compile(JSON.stringify(policyObject(requirements, allow)), 'json')),
    );
  });

  it('CEL conditions', () => {
    fuzz('cel', 150, celExpression, (condition) =>
      expectDecides(
        compile(
          JSON.stringify(
            policyObject([
              { name: 'provenance', predicateType: PROVENANCE, signers: ['builder'], condition },
            ]),
          ),
          'json',
        ),
      ),
    );
  });
});

/** The base policy as a JSON object (the same content as POLICY_YAML). */
function compileShape(): unknown {
  return policyObject(
    [
      {
        name: 'provenance',
        predicateType: PROVENANCE,
        signers: ['builder'],
        condition:
          'predicate.buildDefinition.externalParameters.workflow.repository == "https://github.com/acme/app"',
      },
      {
        name: 'vuln-review',
        predicateType: VULN_REVIEW,
        signers: ['security'],
        maxAge: '168h',
        condition: 'predicate.decision == "approved"',
      },
    ],
    'provenance && vuln-review',
  );
}
