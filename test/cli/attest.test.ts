import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { documentSigners, parseSignedDocument } from '../../src/attestation/attestation.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../../src/attestation/envelope.js';
import { parseStatement, STATEMENT_V1, type Statement } from '../../src/attestation/statement.js';
import { loadPublicKey } from '../../src/crypto/keys.js';
import { runCli, tempDir } from '../support/cli.js';
import { makeKeyFiles } from '../support/signing.js';

const PREDICATE_TYPE = 'https://example.com/test-result/v1';

describe('vouch attest', async () => {
  const dir = tempDir();
  const signer = makeKeyFiles(dir, 'signer');
  const pub = loadPublicKey(readFileSync(signer.pub, 'utf8'));
  const artifact = join(dir, 'app.tar.gz');
  writeFileSync(artifact, 'artifact bytes');
  const artifactSha256 = createHash('sha256').update('artifact bytes').digest('hex');
  const predicate = join(dir, 'predicate.json');
  writeFileSync(predicate, JSON.stringify({ result: 'PASSED', passed: ['unit'] }));

  const attest = (...args: string[]) =>
    runCli(
      'attest',
      '--key',
      signer.key,
      '--predicate-type',
      PREDICATE_TYPE,
      '--predicate',
      predicate,
      ...args,
    );

  /** Parses the written document, checks the signature with the signer's key, returns the Statement. */
  function verifiedStatement(text: string, format: 'dsse' | 'bundle'): Statement {
    const doc = parseSignedDocument(text);
    expect(doc.format).toBe(format);
    expect(documentSigners(doc, [pub]).map((k) => k.keyid)).toEqual([signer.keyid]);
    expect(doc.envelope.payloadType).toBe(IN_TOTO_PAYLOAD_TYPE);
    return parseStatement(doc.envelope.payload);
  }

  describe.each(['dsse', 'bundle'] as const)('when writing %s', (format) => {
    it('signs a Statement v1 about a file subject (name and sha256 of the file)', async () => {
      const result = await attest('--subject', artifact, '--format', format);
      expect(result.code).toBe(0);
      const statement = verifiedStatement(result.stdout, format);
      expect(statement._type).toBe(STATEMENT_V1);
      expect(statement.predicateType).toBe(PREDICATE_TYPE);
      expect(statement.predicate).toEqual({ result: 'PASSED', passed: ['unit'] });
      expect(statement.subject).toEqual([
        { name: 'app.tar.gz', digest: { sha256: artifactSha256 } },
      ]);
    });

    it('writes --out atomically and reports the digest on stderr', async () => {
      const out = join(dir, `out-${format}.json`);
      const result = await attest('--subject', artifact, '--format', format, '--out', out);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe('');
      const text = readFileSync(out, 'utf8');
      verifiedStatement(text, format);
      const digest = createHash('sha256').update(text).digest('hex');
      expect(result.stderr).toBe(`wrote ${out} (sha256:${digest}, signed by ${signer.keyid})\n`);
      expect(readdirSync(dir).filter((f) => f.startsWith('.vouch-tmp'))).toEqual([]);
    });
  });

  it('takes NAME@sha256:<hex> and sha256:<hex> subjects, lowercasing the hex', async () => {
    const hex = 'AB'.repeat(32);
    const result = await attest(
      '--subject',
      `registry.example/app@sha256:${hex}`,
      `sha256:${'cd'.repeat(32)}`,
    );
    expect(result.code).toBe(0);
    expect(verifiedStatement(result.stdout, 'dsse').subject).toEqual([
      { name: 'registry.example/app', digest: { sha256: hex.toLowerCase() } },
      { digest: { sha256: 'cd'.repeat(32) } },
    ]);
  });

  it('signs with a passphrase-protected key given --passphrase-env', async () => {
    process.env.VOUCH_TEST_ATTEST_PASS = 'sesame';
    try {
      const locked = makeKeyFiles(dir, 'locked', { passphrase: 'sesame' });
      const base = ['attest', '--subject', artifact, '--predicate-type', PREDICATE_TYPE];
      const withKey = [...base, '--predicate', predicate, '--key', locked.key];
      const missing = await runCli(...withKey);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('KEY_PASSPHRASE');
      const ok = await runCli(...withKey, '--passphrase-env', 'VOUCH_TEST_ATTEST_PASS');
      expect(ok.code).toBe(0);
      const lockedPub = loadPublicKey(readFileSync(locked.pub, 'utf8'));
      expect(documentSigners(parseSignedDocument(ok.stdout), [lockedPub])).toHaveLength(1);
    } finally {
      delete process.env.VOUCH_TEST_ATTEST_PASS;
    }
  });

  describe('when the input is wrong', () => {
    it.each([
      ['a predicate that is not an object', '[1,2]', 'MALFORMED'],
      ['a predicate with a duplicate key', '{"a":1,"a":2}', 'JSON_DUPLICATE_KEY'],
      ['a predicate that is not JSON', '{a:1}', 'JSON_SYNTAX'],
    ])('exits 2 for %s (%s)', async (_what, text, code) => {
      const file = join(dir, `bad-${code}.json`);
      writeFileSync(file, text);
      const result = await runCli(
        'attest',
        '--key',
        signer.key,
        '--predicate-type',
        PREDICATE_TYPE,
        '--predicate',
        file,
        '--subject',
        artifact,
      );
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(`vouch: error ${code}`);
    });

    it.each([
      ['an md5 subject', [`md5:${'a'.repeat(32)}`], 'USAGE'],
      ['a short sha256 subject', [`sha256:${'a'.repeat(63)}`], 'MALFORMED'],
      ['a missing subject file', [join(dir, 'nope')], 'IO_ERROR'],
    ])('exits 2 for %s', async (_what, subject, code) => {
      const result = await attest('--subject', ...subject);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`vouch: error ${code}`);
    });

    it('exits 2 for a public key given as the signing key', async () => {
      const result = await runCli(
        'attest',
        '--key',
        signer.pub,
        '--predicate-type',
        PREDICATE_TYPE,
        '--predicate',
        predicate,
        '--subject',
        artifact,
      );
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('vouch: error KEY_UNREADABLE');
    });

    it('exits 2 when a required option is missing', async () => {
      const result = await runCli('attest', '--subject', artifact, '--key', signer.key);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--predicate-type');
    });
  });
});
