import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSignedDocument } from '../../src/attestation/attestation.js';
import { envelopeToBundle } from '../../src/attestation/bundle.js';
import { parseEnvelope } from '../../src/attestation/envelope.js';
import type { Decision } from '../../src/policy/decision.js';
import { runCli, tempDir } from '../support/cli.js';
import { fixture } from '../support/fixtures.js';
import { EVALUATED_AT, type PolicyDir, writePolicyDir } from '../support/policy-dir.js';
import { makeKeyFiles } from '../support/signing.js';

// Issue 8 item 8: junk in a bundle's verification material (RFC 3161 timestamps, certificates)
// gives INTERNAL "unsupported tag 0x00" from verify-envelope and review, and an INTERNAL
// rejection in verify. Every command must name the field with a specific code.
type Bundle = { verificationMaterial: Record<string, unknown> };

const JUNK: readonly [string, (b: Bundle) => Bundle, string][] = [
  [
    'a junk RFC 3161 timestamp',
    (b) => ({
      ...b,
      verificationMaterial: {
        ...b.verificationMaterial,
        timestampVerificationData: { rfc3161Timestamps: [{ signedTimestamp: 'AAAA' }] },
      },
    }),
    '$.verificationMaterial.timestampVerificationData.rfc3161Timestamps[0].signedTimestamp',
  ],
  [
    'a junk certificate',
    (b) => ({
      ...b,
      verificationMaterial: {
        ...b.verificationMaterial,
        publicKey: undefined,
        certificate: { rawBytes: 'MAMCAQA=' },
      },
    }),
    '$.verificationMaterial.certificate.rawBytes',
  ],
];

const withJunk = (text: string, junk: (b: Bundle) => Bundle): string =>
  JSON.stringify(junk(JSON.parse(text) as Bundle));

describe('junk in bundle verification material', () => {
  let p: PolicyDir;
  let dir: string;
  beforeAll(() => {
    p = writePolicyDir();
    dir = tempDir();
  });
  afterAll(() => {
    rmSync(p.dir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  const bobBundle = () => readFileSync(join(p.reviews, 'bob.sigstore.json'), 'utf8');

  it.each(JUNK)('parses %s to MALFORMED naming the field', (_what, junk, path) => {
    expect(() => parseSignedDocument(withJunk(bobBundle(), junk))).toThrowWithCode('MALFORMED');
    try {
      parseSignedDocument(withJunk(bobBundle(), junk));
    } catch (err) {
      expect((err as { path?: string }).path).toBe(path);
    }
  });

  it.each(JUNK)('vouch verify rejects %s as MALFORMED, never INTERNAL', async (name, junk) => {
    const file = join(dir, `${name.replaceAll(' ', '-')}.sigstore.json`);
    writeFileSync(file, withJunk(bobBundle(), junk));
    const result = await runCli(
      'verify',
      '--policy',
      p.policy,
      '--artifact',
      p.artifact,
      '--attestations',
      file,
      '--output',
      'json',
      '--at',
      EVALUATED_AT,
    );
    const decision = JSON.parse(result.stdout) as Decision;
    const codes = decision.requirements.flatMap((r) => r.rejected.map((x) => x.code));
    expect(codes.length).toBeGreaterThan(0);
    expect(new Set(codes)).toEqual(new Set(['MALFORMED']));
  });

  it.each(JUNK)('vouch verify-envelope rejects %s as MALFORMED (exit 1)', async (name, junk) => {
    const file = join(dir, `ve-${name.replaceAll(' ', '-')}.sigstore.json`);
    writeFileSync(file, withJunk(bobBundle(), junk));
    const bob = join(p.dir, 'keys', 'bob.pub');
    const result = await runCli('verify-envelope', '--key', bob, file);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(`^${file}: not verified: MALFORMED at \\$\\.verificationMaterial`),
    );
  });

  it.each(JUNK)('vouch review rejects a scan bundle with %s as MALFORMED', async (name, junk) => {
    const scanner = makeKeyFiles(dir, `scanner-${name.length}`);
    const reviewer = makeKeyFiles(dir, `reviewer-${name.length}`);
    const scanDsse = join(dir, `scan-${name.length}.dsse.json`);
    const imported = await runCli(
      'scan',
      'import',
      '--format',
      'grype',
      fixture('scanners', 'grype.json'),
      '--subject',
      `sha256:${'a'.repeat(64)}`,
      '--key',
      scanner.key,
      '--out',
      scanDsse,
    );
    expect(imported.code).toBe(0);
    const scanBundle = join(dir, `scan-${name.length}.sigstore.json`);
    const bundled = envelopeToBundle(parseEnvelope(readFileSync(scanDsse)), scanner.keyid);
    writeFileSync(scanBundle, withJunk(JSON.stringify(bundled), junk));
    const result = await runCli(
      'review',
      '--scan',
      scanBundle,
      '--scan-key',
      scanner.pub,
      '--reviewer',
      'alice@example.com',
      '--key',
      reviewer.key,
      '--decision',
      'approved',
      '--out',
      join(dir, `review-${name.length}.dsse.json`),
    );
    expect(result.stderr).toMatch(/error MALFORMED at \$\.verificationMaterial/);
    expect(result.stderr).not.toContain('INTERNAL');
  });
});
