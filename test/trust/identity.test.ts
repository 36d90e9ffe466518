import { bundleFromJSON } from '@sigstore/bundle';
import { toSignedEntity } from '@sigstore/verify';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CertificateIdentity,
  certificateIdentity,
  identitySignerId,
} from '../../src/trust/certificate-identity.js';
import { FULCIO_EXTENSION_NAMES } from '../../src/trust/fulcio-extensions.js';
import {
  anchoringProblem,
  compileIdentity,
  IdentityPatternError,
} from '../../src/trust/identity.js';
import { itWithVectors, vectorJson } from '../support/paths.js';

const GITHUB = 'https://token.actions.githubusercontent.com';

/** sigstore-python's production GitHub Actions bundle: a certificate with every extension. */
function githubCertificate(): CertificateIdentity {
  const bundle = bundleFromJSON(
    vectorJson('sigstore-python', 'assets', 'bundle_v3_github.whl.sigstore'),
  );
  const key = toSignedEntity(bundle).key;
  if (key.$case !== 'certificate') throw new Error('not keyless');
  const identity = certificateIdentity(key.certificate);
  if (identity === undefined) throw new Error('no identity');
  return identity;
}

const fake = (
  issuer: string,
  subject: string,
  ext: Record<string, string> = {},
): CertificateIdentity => ({
  issuer,
  subject,
  extension: (name) => ext[name],
});

describe('certificate identities', () => {
  itWithVectors(
    'reads issuer, SAN and every Fulcio extension by name from a real certificate',
    () => {
      const id = githubCertificate();
      expect(id.issuer).toBe(GITHUB);
      expect(id.subject).toMatch(/^https:\/\/github\.com\/.+@refs\//);
      for (const name of FULCIO_EXTENSION_NAMES)
        expect(id.extension(name), name).toBeTypeOf('string');
      expect(id.extension('runnerEnvironment')).toBe('github-hosted');
      expect(identitySignerId(id)).toBe(`${GITHUB} ${id.subject}`);
    },
  );
});

describe('identity matching', () => {
  const id = fake(
    GITHUB,
    'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.0',
    {
      sourceRepositoryURI: 'https://github.com/acme/app',
    },
  );

  it('matches issuer and subject exactly', () => {
    expect(compileIdentity({ issuer: GITHUB, subject: id.subject }).mismatch(id)).toBeUndefined();
    expect(compileIdentity({ issuer: `${GITHUB}/`, subject: id.subject }).mismatch(id)).toMatch(
      /issuer/,
    );
    expect(compileIdentity({ issuer: GITHUB, subject: `${id.subject}x` }).mismatch(id)).toMatch(
      /subject/,
    );
  });

  it('matches extensions exactly, an absent one never', () => {
    const spec = { issuer: GITHUB, subject: id.subject };
    expect(
      compileIdentity({
        ...spec,
        extensions: { sourceRepositoryURI: 'https://github.com/acme/app' },
      }).mismatch(id),
    ).toBeUndefined();
    expect(
      compileIdentity({
        ...spec,
        extensions: { sourceRepositoryURI: 'https://github.com/acme/ap' },
      }).mismatch(id),
    ).toMatch(/sourceRepositoryURI/);
    expect(
      compileIdentity({
        ...spec,
        extensions: { sourceRepositoryRef: 'refs/tags/v1.2.0' },
      }).mismatch(id),
    ).toMatch(/absent/);
  });

  it('searches subjectRegExp with RE2 semantics: anchors decide', () => {
    const anchored = compileIdentity({
      issuer: GITHUB,
      subjectRegExp:
        '^https://github\\.com/acme/app/\\.github/workflows/release\\.yml@refs/tags/v[0-9.]+$',
    });
    expect(anchored.mismatch(id)).toBeUndefined();
    expect(anchored.mismatch(fake(GITHUB, `https://evil.example/?${id.subject}`))).toMatch(
      /does not match/,
    );
    // An unanchored pattern matches inside a hostile SAN: what the lint warns about.
    const loose = compileIdentity({ issuer: GITHUB, subjectRegExp: 'github\\.com/acme/app/' });
    expect(loose.mismatch(fake(GITHUB, `https://evil.example/?${id.subject}`))).toBeUndefined();
  });

  it('refuses patterns RE2 cannot run in linear time (backreferences, lookaround)', () => {
    expect(() => compileIdentity({ issuer: GITHUB, subjectRegExp: '(a)\\1' })).toThrow(
      IdentityPatternError,
    );
    expect(() => compileIdentity({ issuer: GITHUB, subjectRegExp: '(?=a)a' })).toThrow(
      IdentityPatternError,
    );
  });

  it('runs a catastrophic-for-backtracking pattern in linear time', () => {
    const matcher = compileIdentity({ issuer: GITHUB, subjectRegExp: '^(a+)+$' });
    const started = performance.now();
    expect(matcher.mismatch(fake(GITHUB, `${'a'.repeat(50_000)}!`))).toMatch(/does not match/);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('never matches another issuer, whatever the subject (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), (issuer, subject) => {
        fc.pre(issuer !== GITHUB);
        const matcher = compileIdentity({ issuer: GITHUB, subjectRegExp: '.*' });
        return matcher.mismatch(fake(issuer, subject)) !== undefined;
      }),
    );
  });
});

describe('anchoring lint', () => {
  it.each([
    ['^https://github\\.com/acme/app/x\\.yml@refs/heads/main$', undefined],
    ['^(a|b)$', undefined],
    ['https://github\\.com/acme/', /start with \^/],
    ['^https://github\\.com/acme/', /end with \$/],
    ['^a\\$', /end with \$/],
    ['^a|b$', /top-level \|/],
    ['^[|]$', undefined],
  ])('%s', (pattern, problem) => {
    const got = anchoringProblem(pattern);
    if (problem === undefined) expect(got).toBeUndefined();
    else expect(got).toMatch(problem);
  });
});
