import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { VouchError } from '../../src/errors.js';
import { compilePolicy } from '../../src/policy/compile.js';
import { makeKey, PROVENANCE, TEST_RESULT, VULN_REVIEW } from '../support/signing.js';

const builder = makeKey();
// A self-signed P-256 certificate: Node would take its key without checking it.
const CERTIFICATE = `-----BEGIN CERTIFICATE-----
MIIBbDCCAROgAwIBAgIUD8jVDHJxYRi3gLp1TiqE+ncbYBcwCgYIKoZIzj0EAwIw
DDEKMAgGA1UEAwwBeDAeFw0yNjExMzAwMjE0MzRaFw0yNjEyMDEwMjE0MzRaMAwx
CjAIBgNVBAMMAXgwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAR/23yN8mfDAPpf
wbsnTV1t9SRqC4QQyb59Ynya/5zQCVBMgWfFaspO4OV57/zM73KVfzpcyzC9wQkp
8S19M0Cuo1MwUTAdBgNVHQ4EFgQUwGp0cxdXxmAACsByjT4NfI6uxW4wHwYDVR0j
BBgwFoAUwGp0cxdXxmAACsByjT4NfI6uxW4wDwYDVR0TAQH/BAUwAwEB/zAKBggq
hkjOPQQDAgNHADBEAiAoGV1Oa3MT+uonnWUpEfM2JeBW+f1OsRktGczSYNxbFwIg
DYTv3KX0Pum2jRJ1IXf84HRQOkZ7uZ36gUmsenkflg0=
-----END CERTIFICATE-----
`;
const alice = makeKey('ed25519');
const bob = makeKey();
const files: Record<string, string> = {
  'keys/builder.pub': builder.pem,
  'keys/alice.pub': alice.pem,
  'keys/bob.pub': bob.pem,
  'keys/garbage.pub': 'not a key',
  'keys/two.pub': builder.pem + alice.pem,
  'keys/rsa1024.pub': generateKeyPairSync('rsa', {
    modulusLength: 1024,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  }).publicKey,
};
const readKeyFile = (path: string): string => {
  const pem = files[path];
  if (pem === undefined) throw new VouchError('IO_ERROR', `cannot read ${path}`);
  return pem;
};

/** The DESIGN.md section 5 example, with pieces swappable. */
function policyYaml(overrides: { spec?: string; requirements?: string; top?: string } = {}) {
  return `apiVersion: vouch/v1
kind: Policy
metadata: {name: production}
${overrides.top ?? ''}spec:
${
  overrides.spec ??
  `  clockSkew: 5m
  authorities:
    builder:  {keys: [{file: keys/builder.pub}]}
    security: {keys: [{file: keys/alice.pub}, {pem: ${JSON.stringify(bob.pem)}}]}`
}
  requirements:
${
  overrides.requirements ??
  `    - name: provenance
      predicateType: ${PROVENANCE}
      signers: [builder]
      condition: predicate.buildDefinition.externalParameters.workflow.repository == "https://github.com/acme/app"
    - name: vuln-review
      predicateType: ${VULN_REVIEW}
      signers: [security]
      threshold: 2
      maxAge: 168h
      condition: predicate.decision == "approved"`
}
`;
}

function compileYaml(text: string) {
  return compilePolicy({ name: 'policy.yaml', text, format: 'yaml' }, { readKeyFile });
}

function errorOf(fn: () => unknown): VouchError {
  try {
    fn();
  } catch (err) {
    if (err instanceof VouchError) return err;
    throw err;
  }
  throw new Error('expected a VouchError');
}

describe('compilePolicy', () => {
  it('when the policy is the DESIGN.md example it compiles with defaults filled in', () => {
    const policy = compileYaml(policyYaml());
    expect(policy.name).toBe('production');
    expect(policy.clockSkew).toBe(300_000);
    expect(policy.requirements.map((r) => r.name)).toEqual(['provenance', 'vuln-review']);
    const [provenance, review] = policy.requirements;
    expect(provenance?.threshold).toBe(1);
    expect(provenance?.timestampPath).toBe('runDetails.metadata.finishedOn');
    expect(review?.threshold).toBe(2);
    expect(review?.maxAge).toBe(168 * 3600_000);
    expect(review?.timestampPath).toBe('reviewedAt');
    expect([...(review?.trusted.keys() ?? [])].sort()).toEqual([alice.keyid, bob.keyid].sort());
    expect(policy.allow).toEqual({
      kind: 'all',
      terms: [
        { kind: 'requirement', name: 'provenance' },
        { kind: 'requirement', name: 'vuln-review' },
      ],
    });
    expect(policy.keys).toHaveLength(3);
  });

  it('when the policy is JSON it compiles the same way', () => {
    const yaml = compileYaml(policyYaml());
    const json = compilePolicy(
      {
        name: 'policy.json',
        format: 'json',
        text: JSON.stringify({
          apiVersion: 'vouch/v1',
          kind: 'Policy',
          metadata: { name: 'production' },
          spec: {
            authorities: { builder: { keys: [{ file: 'keys/builder.pub' }] } },
            requirements: [{ name: 'provenance', predicateType: PROVENANCE, signers: ['builder'] }],
          },
        }),
      },
      { readKeyFile },
    );
    expect(json.requirements[0]?.trusted).toEqual(new Map([[builder.keyid, 'builder']]));
    expect(yaml.requirements[0]?.trusted).toEqual(json.requirements[0]?.trusted);
  });

  describe('when the policy is invalid it is a POLICY_INVALID configuration error', () => {
    const requirement = (extra: string, name = 'provenance', type = PROVENANCE) =>
      `    - name: ${name}\n      predicateType: ${type}\n      signers: [builder]\n${extra}`;
    const cases: [string, string, RegExp, RegExp?][] = [
      [
        'an unknown top-level field',
        policyYaml({ top: 'extra: 1\n' }),
        /unknown field "extra"/,
        /policy\.yaml:4:8 extra$/,
      ],
      [
        'an unknown requirement field',
        policyYaml({ requirements: requirement('      maxage: 168h') }),
        /unknown field "maxage"/,
        /policy\.yaml:\d+:\d+ spec\.requirements\[0\]\.maxage$/,
      ],
      [
        'an unknown key field',
        policyYaml({ spec: '  authorities:\n    builder: {keys: [{path: keys/builder.pub}]}' }),
        /unknown field "path"/,
      ],
      [
        'an empty requirement list',
        policyYaml({ requirements: '    []' }),
        /needs at least 1 item/,
        /spec\.requirements$/,
      ],
      [
        'no requirements field',
        'apiVersion: vouch/v1\nkind: Policy\nmetadata: {name: p}\nspec:\n  authorities: {a: {keys: [{file: keys/builder.pub}]}}\n',
        /expected array/,
        /spec\.requirements$/,
      ],
      [
        'an unknown authority',
        policyYaml({ requirements: requirement('').replace('[builder]', '[builders]') }),
        /unknown authority "builders"/,
        /spec\.requirements\[0\]\.signers\[0\]$/,
      ],
      [
        'an allow naming an unknown requirement',
        policyYaml({
          requirements: requirement('  allow: provenance && tests').replace(
            /\n {2}allow/,
            '\n  allow',
          ),
        }),
        /"tests" is not a requirement name/,
        /spec\.allow$/,
      ],
      [
        'an allow with negation',
        policyYaml({ requirements: `${requirement('')}  allow: "!provenance"` }),
        /only requirement names, &&, \|\| and parentheses/,
      ],
      [
        'an allow mixing && and || without parentheses',
        policyYaml({
          requirements: `${requirement('')}${requirement('', 'tests', TEST_RESULT)}${requirement('', 'other', 'https://x/y')}  allow: provenance && tests || other`,
        }),
        /needs parentheses/,
      ],
      [
        'an allow nesting 5,000 parentheses',
        policyYaml({
          requirements: `${requirement('')}  allow: "${'('.repeat(5000)}provenance${')'.repeat(5000)}"`,
        }),
        /parentheses nest deeper than 32 levels \(the limit\)/,
        /spec\.allow$/,
      ],
      [
        'an allow of 100,000 terms',
        policyYaml({
          requirements: `${requirement('', 'p')}  allow: "${Array(100_000).fill('p').join(' && ')}"`,
        }),
        /more than 1000 names \(the limit\)/,
      ],
      [
        'a condition that does not compile',
        policyYaml({ requirements: requirement('      condition: predicate.decision ==') }),
        /condition does not parse/,
        /spec\.requirements\[0\]\.condition$/,
      ],
      [
        'a condition that is not boolean',
        policyYaml({ requirements: requirement('      condition: predicate.decision') }),
        /has type dyn, not bool/,
      ],
      [
        'a condition with an unknown variable',
        policyYaml({ requirements: requirement('      condition: input.decision == "x"') }),
        /does not type-check/,
      ],
      [
        'an unreadable key file',
        policyYaml({ spec: '  authorities:\n    builder: {keys: [{file: keys/missing.pub}]}' }),
        /IO_ERROR: cannot read keys\/missing\.pub/,
        /spec\.authorities\.builder\.keys\[0\]\.file$/,
      ],
      [
        'a key file that is not a key',
        policyYaml({ spec: '  authorities:\n    builder: {keys: [{file: keys/garbage.pub}]}' }),
        /KEY_UNREADABLE/,
      ],
      [
        'an RSA key that is too short',
        policyYaml({ spec: '  authorities:\n    builder: {keys: [{file: keys/rsa1024.pub}]}' }),
        /KEY_WEAK/,
      ],
      [
        'an inline pem that is not a key',
        policyYaml({
          spec: '  authorities:\n    builder: {keys: [{pem: "-----BEGIN PUBLIC KEY-----"}]}',
        }),
        /KEY_UNREADABLE/,
        /keys\[0\]\.pem$/,
      ],
      [
        'a key with both file and pem',
        policyYaml({
          spec: `  authorities:\n    builder: {keys: [{file: keys/builder.pub, pem: x}]}`,
        }),
        /exactly one of file/,
      ],
      ['no authorities', policyYaml({ spec: '  authorities: {}' }), /at least one authority/],
      [
        'an authority without keys',
        policyYaml({ spec: '  authorities:\n    builder: {keys: []}' }),
        /needs at least 1 item/,
      ],
      [
        'duplicate requirement names',
        policyYaml({ requirements: `${requirement('')}${requirement('')}` }),
        /"provenance" is used twice/,
        /spec\.requirements\[1\]\.name$/,
      ],
      [
        'threshold 0',
        policyYaml({ requirements: requirement('      threshold: 0') }),
        /must be at least 1/,
        /threshold$/,
      ],
      [
        'a fractional threshold',
        policyYaml({ requirements: requirement('      threshold: 1.5') }),
        /expected int/,
      ],
      [
        'a threshold above the keys there are',
        policyYaml({ requirements: requirement('      threshold: 2') }),
        /threshold 2 can never be met: builder hold 1 distinct key/,
      ],
      [
        'maxAge in days',
        policyYaml({ requirements: requirement('      maxAge: 7d') }),
        /duration such as 168h/,
      ],
      [
        'maxAge as a number',
        policyYaml({ requirements: requirement('      maxAge: 60') }),
        /expected string/,
      ],
      [
        'maxAge 0s',
        policyYaml({ requirements: requirement('      maxAge: 0s') }),
        /longer than 0s/,
      ],
      [
        'a negative clockSkew',
        policyYaml({
          spec: '  clockSkew: -5m\n  authorities:\n    builder: {keys: [{file: keys/builder.pub}]}',
        }),
        /duration/,
        /spec\.clockSkew$/,
      ],
      [
        'maxAge on a type without a time field',
        policyYaml({ requirements: requirement('      maxAge: 24h', 'tests', TEST_RESULT) }),
        /set timestampPath/,
      ],
      [
        'a malformed timestampPath',
        policyYaml({ requirements: requirement('      timestampPath: a..b') }),
        /not a dotted field path/,
      ],
      ['a bad name', policyYaml({ requirements: requirement('', 'has space') }), /must be a name/],
      ['a wrong apiVersion', policyYaml().replace('vouch/v1', 'vouch/v2'), /must be "vouch\/v1"/],
      ['a wrong kind', policyYaml().replace('kind: Policy', 'kind: Pollicy'), /must be "Policy"/],
      [
        'a repeated YAML key',
        policyYaml().replace('kind: Policy', 'kind: Policy\nkind: Policy'),
        /DUPLICATE_KEY/,
        /policy\.yaml:3:1$/,
      ],
      ...(
        [
          ['1', '"1"'],
          ['true', '"true"'],
          ['null', '""'],
          ['~', '""'],
          ['1', "'1'"],
          ['0x1', '"1"'],
          ['1e1', '"10"'],
        ] as const
      ).map(([a, b]): [string, string, RegExp, RegExp] => [
        `authority keys ${a} and ${b}, one name to an object`,
        policyYaml({
          spec: `  authorities:\n    ${a}: {keys: [{file: keys/builder.pub}]}\n    ${b}: {keys: [{file: keys/alice.pub}]}`,
        }),
        /YAML key ".*" appears twice/,
        /policy\.yaml:7:5$/,
      ]),
      [
        'a key that is a collection',
        policyYaml({
          spec: '  authorities:\n    ? [a, b]\n    : {keys: [{file: keys/builder.pub}]}',
        }),
        /YAML key is not a plain scalar/,
      ],
      [
        'a merge key',
        policyYaml({
          spec: '  authorities:\n    builder: &b {keys: [{file: keys/builder.pub}]}\n    other: {<<: *b}',
        }),
        /merge key\) is not supported/,
      ],
      [
        'a __proto__ authority',
        policyYaml({
          spec: '  authorities:\n    builder: {keys: [{file: keys/builder.pub}]}\n    __proto__: {keys: [{file: keys/alice.pub}]}',
        }),
        /"__proto__" is reserved/,
        /policy\.yaml:\d+:\d+ spec\.authorities\.__proto__$/,
      ],
      [
        'an alias bomb',
        `a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n${policyYaml()}`,
        /Excessive alias count/,
      ],
      ['nesting 100,000 deep', `a: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`, /YAML/],
      [
        'a key file with two PEM blocks',
        policyYaml({ spec: '  authorities:\n    builder: {keys: [{file: keys/two.pub}]}' }),
        /KEY_UNREADABLE: keys\/two\.pub holds 2 PEM blocks/,
        /keys\[0\]\.file$/,
      ],
      [
        'a certificate instead of a public key',
        policyYaml({
          spec: `  authorities:\n    builder: {keys: [{pem: ${JSON.stringify(CERTIFICATE)}}]}`,
        }),
        /KEY_UNREADABLE: inline pem key is a certificate, not a public key/,
      ],
      [
        'an inline pem with two PEM blocks',
        policyYaml({
          spec: `  authorities:\n    builder: {keys: [{pem: ${JSON.stringify(bob.pem + builder.pem)}}]}`,
        }),
        /KEY_UNREADABLE: inline pem key holds 2 PEM blocks/,
      ],
      ['two YAML documents', `${policyYaml()}---\n${policyYaml()}`, /MULTIPLE_DOCS/],
      ['a YAML syntax error', 'spec: [unclosed', /YAML/],
      ['a document that is a list', '- 1\n- 2\n', /expected object/],
      ['an empty document', '', /expected object/],
      ['a huge document', `# ${'x'.repeat(1024 * 1024)}\n`, /limit 1048576/],
    ];
    it.each(cases)('when it has %s', (_why, text, message, path) => {
      const error = errorOf(() => compileYaml(text));
      expect(error.code).toBe('POLICY_INVALID');
      expect(error.kind).toBe('configuration');
      expect(error.message).toMatch(message);
      expect(error.hint).toBeDefined();
      if (path !== undefined) expect(error.path).toMatch(path);
    });

    it('when it has several problems it reports them all at once', () => {
      const error = errorOf(() =>
        compileYaml(
          policyYaml({
            requirements:
              '    - name: a\n      predicateType: x\n      signers: [nobody]\n    - name: b\n      predicateType: y\n      signers: [builder]\n      condition: "1"\n      maxAge: 1h\n',
          }),
        ),
      );
      expect(error.message).toMatch(/unknown authority "nobody"/);
      expect(error.message).toMatch(
        /also at policy\.yaml:\d+:\d+ spec\.requirements\[1\]\.condition: condition has type int/,
      );
      expect(error.message).toMatch(
        /also at .* spec\.requirements\[1\]\.maxAge: .*set timestampPath/,
      );
    });

    it('when JSON names an authority __proto__ it is rejected, not dropped', () => {
      const error = errorOf(() =>
        compilePolicy(
          {
            name: 'policy.json',
            format: 'json',
            text: `{"apiVersion":"vouch/v1","kind":"Policy","metadata":{"name":"p"},"spec":{"authorities":{"__proto__":{"keys":[{"file":"keys/builder.pub"}]}},"requirements":[{"name":"a","predicateType":"x","signers":["a"]}]}}`,
          },
          { readKeyFile },
        ),
      );
      expect(error.code).toBe('POLICY_INVALID');
      expect(error.message).toMatch(/"__proto__" is reserved/);
    });

    it('when JSON repeats a key it is rejected', () => {
      const error = errorOf(() =>
        compilePolicy(
          {
            name: 'policy.json',
            format: 'json',
            text: '{"apiVersion":"vouch/v1","apiVersion":"x"}',
          },
          { readKeyFile },
        ),
      );
      expect(error.code).toBe('POLICY_INVALID');
      expect(error.message).toMatch(/JSON_DUPLICATE_KEY/);
      expect(error.path).toBe('policy.json $.apiVersion');
    });
  });
});
