import { describe, expect, it } from 'vitest';
import { VouchError } from '../../src/errors.js';
import { compilePolicy } from '../../src/policy/compile.js';
import { lintPolicy } from '../../src/policy/lint.js';
import { itWithVectors, vectorText } from '../support/paths.js';

const GITHUB = 'https://token.actions.githubusercontent.com';

function compile(
  authority: unknown,
  requirement: Record<string, unknown> = {},
  roots: Record<string, string> = {},
) {
  const text = JSON.stringify({
    apiVersion: 'vouch/v1',
    kind: 'Policy',
    metadata: { name: 'p' },
    spec: {
      authorities: { ci: authority },
      requirements: [
        {
          name: 'r',
          predicateType: 'https://slsa.dev/provenance/v1',
          signers: ['ci'],
          ...requirement,
        },
      ],
    },
  });
  return compilePolicy(
    { name: 'policy.json', text, format: 'json' },
    {
      readKeyFile: () => vectorText('dsse', 'keys', 'spec-p256.pub.pem'),
      readTrustedRoot: (file) => {
        const root = roots[file];
        if (root === undefined) throw new Error(`no ${file}`);
        return root;
      },
    },
  );
}

const errorOf = (action: () => unknown): string => {
  try {
    action();
  } catch (err) {
    return err instanceof VouchError ? err.describe() : String(err);
  }
  return 'compiled';
};

describe('keyless authorities in a policy', () => {
  it('compile with the shipped root by default, identities and extensions by name', () => {
    const policy = compile({
      keyless: {
        identities: [
          {
            issuer: GITHUB,
            subject: 'https://github.com/a/b/.github/workflows/c.yml@refs/heads/main',
            extensions: { sourceRepositoryURI: 'https://github.com/a/b' },
          },
        ],
      },
    });
    const [ci] = policy.authorities;
    expect(ci?.identities).toHaveLength(1);
    expect(ci?.trustedRoot?.source).toMatch(/public-good/);
    expect(policy.requirements[0]?.logged).toEqual(new Set(['ci']));
    // Thresholds of identities are not judged at compile time: a regexp names many signers.
    expect(() =>
      compile(
        { keyless: { identities: [{ issuer: GITHUB, subjectRegExp: '^x$' }] } },
        { threshold: 3 },
      ),
    ).not.toThrow();
  });

  it.each([
    [
      'subject and subjectRegExp together',
      { issuer: GITHUB, subject: 'a', subjectRegExp: '^a$' },
      /exactly one of subject/,
    ],
    ['neither subject nor subjectRegExp', { issuer: GITHUB }, /exactly one of subject/],
    [
      'an extension Fulcio does not define',
      { issuer: GITHUB, subject: 'a', extensions: { sourceRepo: 'x' } },
      /sourceRepo/,
    ],
    [
      'a pattern RE2 rejects',
      { issuer: GITHUB, subjectRegExp: '^(a)\\1$' },
      /not an RE2 regular expression/,
    ],
    ['no issuer', { subject: 'a' }, /issuer/],
  ])('refuse %s (POLICY_INVALID)', (_what, identity, message) => {
    const got = errorOf(() => compile({ keyless: { identities: [identity] } }));
    expect(got).toMatch(/^POLICY_INVALID/);
    expect(got).toMatch(message);
  });

  it('refuse an authority with both keys and keyless', () => {
    expect(
      errorOf(() =>
        compile({
          keys: [{ file: 'k.pub' }],
          keyless: { identities: [{ issuer: GITHUB, subject: 'a' }] },
        }),
      ),
    ).toMatch(/^POLICY_INVALID/);
  });

  itWithVectors('refuse a trusted root that is incomplete, naming the field', () => {
    const root = vectorText(
      'sigstore-conformance',
      'assets',
      'bundle-verify',
      'trust-root-tlog-missing-validity-start_fail',
      'trusted_root.json',
    );
    const got = errorOf(() =>
      compile(
        {
          keyless: {
            trustedRoot: { file: 'root.json' },
            identities: [{ issuer: GITHUB, subject: 'a' }],
          },
        },
        {},
        { 'root.json': root },
      ),
    );
    expect(got).toMatch(/^POLICY_INVALID/);
    expect(got).toMatch(/TRUST_ROOT_INVALID.*validFor\.start is missing/);
  });

  itWithVectors(
    'accept transparencyLog: required on keys, which then count only with log evidence',
    () => {
      const policy = compile({ keys: [{ file: 'k.pub' }], transparencyLog: 'required' });
      expect(policy.requirements[0]?.trusted.size).toBe(0);
      expect(policy.requirements[0]?.logged).toEqual(new Set(['ci']));
      expect(
        errorOf(() => compile({ keys: [{ file: 'k.pub' }], trustedRoot: { file: 'x' } })),
      ).toMatch(/trustedRoot is used only with transparencyLog/);
    },
  );

  it('lint warns on an unanchored subjectRegExp', () => {
    const policy = compile({
      keyless: { identities: [{ issuer: GITHUB, subjectRegExp: 'github\\.com/acme/' }] },
    });
    expect(lintPolicy(policy).map((w) => `${w.path}: ${w.message}`)).toContain(
      'spec.authorities.ci.keyless.identities[0].subjectRegExp: authority ci: subjectRegExp does not start with ^: it matches anywhere in the SAN',
    );
  });
});
