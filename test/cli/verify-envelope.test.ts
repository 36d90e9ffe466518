import { createHash, createPublicKey } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envelopeToJson, signEnvelope } from '../../src/attestation/dsse.js';
import { IN_TOTO_PAYLOAD_TYPE, parseEnvelope } from '../../src/attestation/envelope.js';
import { loadPrivateKey } from '../../src/crypto/keys.js';
import { runCli, tempDir } from '../support/cli.js';
import { makeKeyFiles } from '../support/signing.js';
import { ecSpki, toPem } from '../support/spki.js';

/**
 * Exit codes: 0 verified; 1 not verified. A document that does not parse (junk base64,
 * duplicate keys, tampered JSON) is also exit 1: it is untrusted input that failed
 * verification, not a mistake in how vouch was called. Bad flags or unreadable keys exit 2.
 */
describe('vouch verify-envelope', async () => {
  const dir = tempDir();
  const alice = makeKeyFiles(dir, 'alice');
  const bob = makeKeyFiles(dir, 'bob', { alg: 'ed25519' });
  const predicate = join(dir, 'predicate.json');
  writeFileSync(predicate, '{"ok":true}');

  async function attest(format: 'dsse' | 'bundle', name: string): Promise<string> {
    const out = join(dir, name);
    const result = await runCli(
      'attest',
      '--key',
      alice.key,
      '--subject',
      `sha256:${'a'.repeat(64)}`,
      '--predicate-type',
      'https://example.com/p/v1',
      '--predicate',
      predicate,
      '--format',
      format,
      '--out',
      out,
    );
    expect(result.code).toBe(0);
    return out;
  }

  const dsse = await attest('dsse', 'att.dsse.json');
  const bundle = await attest('bundle', 'att.sigstore.json');

  function writeMangled(name: string, mangle: (text: string) => string): string {
    const file = join(dir, name);
    writeFileSync(file, mangle(readFileSync(dsse, 'utf8')));
    return file;
  }

  it.each([
    ['a DSSE envelope', dsse],
    ['a Sigstore bundle', bundle],
  ])('exits 0 for %s signed by the given key', async (_what, file) => {
    const result = await runCli('verify-envelope', '--key', alice.pub, file);
    expect(result).toEqual({
      code: 0,
      stdout: `${file}: verified, signed by ${alice.keyid}\n`,
      stderr: '',
    });
  });

  it('exits 0 when any of several given keys signed', async () => {
    const result = await runCli('verify-envelope', '--key', bob.pub, '--key', alice.pub, dsse);
    expect(result.code).toBe(0);
  });

  it.each([
    ['a DSSE envelope', dsse],
    ['a Sigstore bundle', bundle],
  ])('exits 1 with BAD_SIGNATURE for %s and the wrong key', async (_what, file) => {
    const result = await runCli('verify-envelope', '--key', bob.pub, file);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `${file}: not verified: BAD_SIGNATURE: 0 of 1 required trusted key(s) signed\n`,
    );
  });

  describe('when the file is tampered or malformed (exit 1, coded)', () => {
    const envelope = parseEnvelope(readFileSync(dsse));
    const tamperedPayload = Buffer.from(envelope.payload.toString().replace('true', 'null'));

    it.each([
      [
        'a changed payload',
        (t: string) =>
          t.replace(envelope.payload.toString('base64'), tamperedPayload.toString('base64')),
        'BAD_SIGNATURE',
      ],
      [
        'a changed payloadType',
        (t: string) => t.replace(IN_TOTO_PAYLOAD_TYPE, 'text/plain'),
        'BAD_SIGNATURE',
      ],
      ['junk base64', (t: string) => t.replace('"sig":"', '"sig":" '), 'BAD_BASE64'],
      [
        'a duplicate key',
        (t: string) => t.replace('{', '{"payloadType":"x",'),
        'JSON_DUPLICATE_KEY',
      ],
      ['truncated JSON', (t: string) => t.slice(0, -3), 'JSON_SYNTAX'],
      [
        'no signatures',
        (t: string) => t.replace(/"signatures":\[.*\]/, '"signatures":[]'),
        'BAD_SIGNATURE',
      ],
    ])('%s -> %s', async (name, mangle, code) => {
      const file = writeMangled(`${name.replaceAll(' ', '-')}.json`, mangle);
      const result = await runCli('verify-envelope', '--key', alice.pub, file);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(new RegExp(`^${file}: not verified: ${code}\\b`));
    });
  });

  describe('when a threshold is given', () => {
    const both = join(dir, 'both.dsse.json');
    const envelope = signEnvelope(IN_TOTO_PAYLOAD_TYPE, Buffer.from('{}'), [
      loadPrivateKey(readFileSync(alice.key, 'utf8')),
      loadPrivateKey(readFileSync(bob.key, 'utf8')),
      loadPrivateKey(readFileSync(alice.key, 'utf8')),
    ]);
    writeFileSync(both, JSON.stringify(envelopeToJson(envelope)));

    it('counts distinct keys: 2 of 2 pass, alice twice is still 1', async () => {
      const two = await runCli(
        'verify-envelope',
        '--key',
        alice.pub,
        '--key',
        bob.pub,
        '--threshold',
        '2',
        both,
      );
      expect(two.code).toBe(0);
      const aliceOnly = await runCli(
        'verify-envelope',
        '--key',
        alice.pub,
        '--threshold',
        '2',
        both,
      );
      expect(aliceOnly.code).toBe(1);
      expect(aliceOnly.stderr).toContain('BELOW_THRESHOLD: 1 of 2');
    });

    it('counts one key once when it is given twice in two encodings (issue 8 item 1)', async () => {
      // alice's key again, its EC point compressed: another SPKI, the same key.
      const compressed = join(dir, 'alice-compressed.pub');
      writeFileSync(
        compressed,
        toPem(ecSpki(createPublicKey(readFileSync(alice.pub, 'utf8')), 'compressed')),
      );
      const twice = await runCli(
        'verify-envelope',
        '--key',
        alice.pub,
        '--key',
        compressed,
        '--threshold',
        '2',
        both,
      );
      expect(twice.code).toBe(1);
      expect(twice.stderr).toContain('BELOW_THRESHOLD: 1 of 2');
      const once = await runCli('verify-envelope', '--key', compressed, both);
      expect(once.stdout).toContain(`signed by ${alice.keyid}\n`);
    });

    it.each(['0', '-1', '1.5', 'two'])('exits 2 with USAGE for --threshold %s', async (t) => {
      const result = await runCli('verify-envelope', '--key', alice.pub, '--threshold', t, both);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('vouch: error USAGE');
    });
  });

  it('checks each line of an .intoto.jsonl file on its own', async () => {
    const lines = join(dir, 'two.intoto.jsonl');
    const good = readFileSync(dsse, 'utf8').trim();
    writeFileSync(lines, `${good}\n${good.replace('"sig":"', '"sig":"A')}\n`);
    const result = await runCli('verify-envelope', '--key', alice.pub, lines);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(`${lines}#L1: verified, signed by ${alice.keyid}\n`);
    expect(result.stderr).toMatch(new RegExp(`^${lines}#L2: not verified: `));
  });

  it('--output json says per document whether it verified, by whom, and why not', async () => {
    const lines = join(dir, 'json.intoto.jsonl');
    const good = readFileSync(dsse, 'utf8').trim();
    writeFileSync(lines, `${good}\n${good.replace('"sig":"', '"sig":"A')}\nnot json\n`);
    const result = await runCli(
      'verify-envelope',
      '--key',
      alice.pub,
      '--key',
      bob.pub,
      '--output',
      'json',
      lines,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ verified: false, threshold: 1 });
    expect(report.documents).toEqual([
      {
        source: `${lines}#L1`,
        digest: expect.stringMatching(/^sha256:/),
        verified: true,
        signers: [alice.keyid],
        error: null,
      },
      {
        source: `${lines}#L2`,
        digest: expect.stringMatching(/^sha256:/),
        verified: false,
        signers: [],
        error: expect.objectContaining({ code: expect.stringMatching(/^BAD_(SIGNATURE|BASE64)$/) }),
      },
      {
        source: `${lines}#L3`,
        digest: `sha256:${createHash('sha256').update('not json').digest('hex')}`,
        verified: false,
        signers: [],
        error: expect.objectContaining({ code: 'JSON_SYNTAX' }),
      },
    ]);
  });

  it('a directory with no attestation in it is NO_DOCUMENTS, exit 1: nothing verified is no success', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'notes.txt'), 'not an attestation');
    const result = await runCli('verify-envelope', '--key', alice.pub, empty);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `vouch: skipped ${empty}/notes.txt: not an attestation file name (.json, .jsonl, .sigstore)\n` +
        `vouch: error NO_DOCUMENTS: no attestation found in ${empty} (directories are searched for .json, .jsonl and .sigstore files)\n`,
    );
    const json = await runCli('verify-envelope', '--key', alice.pub, '--output', 'json', empty);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).error.code).toBe('NO_DOCUMENTS');
  });

  describe('when the key or the flags are wrong (exit 2)', () => {
    it.each([
      ['a missing key file', () => join(dir, 'none.pub'), 'IO_ERROR'],
      ['a key file that is not a key', () => predicate, 'KEY_UNREADABLE'],
    ])('%s -> %s', async (_what, keyFile, code) => {
      const result = await runCli('verify-envelope', '--key', keyFile(), dsse);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`vouch: error ${code}`);
    });

    it('requires --key', async () => {
      expect((await runCli('verify-envelope', dsse)).code).toBe(2);
    });
  });
});
