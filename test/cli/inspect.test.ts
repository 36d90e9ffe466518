import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/cli.js';
import { itWithVectors, vector } from '../support/paths.js';
import { makeKeyFiles } from '../support/signing.js';

describe('vouch inspect', async () => {
  const dir = tempDir();
  const signer = makeKeyFiles(dir, 'signer', { alg: 'ed25519' });
  const predicate = join(dir, 'predicate.json');
  writeFileSync(
    predicate,
    JSON.stringify({ result: 'PASSED', long: 'x'.repeat(200), list: [1, 2] }),
  );
  const subject = `app@sha256:${'ab'.repeat(32)}`;

  async function attestTo(format: 'dsse' | 'bundle'): Promise<string> {
    const out = join(dir, `att.${format}.json`);
    const result = await runCli(
      'attest',
      '--key',
      signer.key,
      '--subject',
      subject,
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

  it.each([
    ['dsse', 'DSSE envelope'],
    ['bundle', 'Sigstore bundle (application/vnd.dev.sigstore.bundle.v0.3+json)'],
  ] as const)('shows what a %s claims, labelled UNVERIFIED', async (format, label) => {
    const file = await attestTo(format);
    const result = await runCli('inspect', file);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const out = result.stdout;
    expect(out).toContain(`${file}  [UNVERIFIED: signatures not checked`);
    expect(out).toContain(`format:        ${label}`);
    expect(out).toContain('payloadType:   application/vnd.in-toto+json');
    expect(out).toContain(`[0] keyid hint: ${signer.keyid}`);
    expect(out).toContain('predicateType: https://example.com/p/v1');
    expect(out).toContain(`- app sha256:${'ab'.repeat(32)}`);
    expect(out).toContain('result: "PASSED"');
    expect(out).toContain('list: [2 items]');
    expect(out).toMatch(/long: "x{96}\.\.\.$/m);
  });

  it('--output json prints every document with its full predicate, marked unverified', async () => {
    const file = await attestTo('bundle');
    const result = await runCli('inspect', file, '--output', 'json');
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({
      documents: [
        {
          source: file,
          verified: false,
          digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
          format: 'bundle',
          mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
          payloadType: 'application/vnd.in-toto+json',
          keyids: [signer.keyid],
          statement: {
            type: 'https://in-toto.io/Statement/v1',
            predicateType: 'https://example.com/p/v1',
            subject: [{ name: 'app', digest: { sha256: 'ab'.repeat(32) } }],
            predicate: { result: 'PASSED', long: 'x'.repeat(200), list: [1, 2] },
          },
          statementError: null,
          error: null,
        },
      ],
      skipped: [],
    });
  });

  it('--output json reports a document that does not parse in place, and exits 2', async () => {
    const lines = join(dir, 'mixed.intoto.jsonl');
    writeFileSync(lines, `${readFileSync(await attestTo('dsse'), 'utf8').trim()}\n{"payload":\n`);
    const result = await runCli('inspect', '--output', 'json', lines);
    expect(result.code).toBe(2);
    const { documents } = JSON.parse(result.stdout);
    expect(documents.map((d: { source: string }) => d.source)).toEqual([
      `${lines}#L1`,
      `${lines}#L2`,
    ]);
    expect(documents[0].error).toBeNull();
    expect(documents[1]).toMatchObject({
      digest: expect.stringMatching(/^sha256:/),
      statement: null,
    });
    expect(documents[1].error).toMatchObject({ code: 'JSON_SYNTAX' });
  });

  itWithVectors(
    'reads a real in-toto v0.1 Statement from the attestation-verifier vectors',
    async () => {
      const result = await runCli(
        'inspect',
        vector('in-toto-attestation-verifier', 'test-data-npm', 'build.fe1c6281.json'),
      );
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('statement:     https://in-toto.io/Statement/v0.1');
      expect(result.stdout).toContain('predicateType: https://slsa.dev/provenance/v0.2');
    },
  );

  itWithVectors(
    'labels a payload that is not a Statement without failing the envelope',
    async () => {
      const result = await runCli(
        'inspect',
        vector('in-toto-attestation-verifier', 'test-data', 'clone.fe1c6281.json'),
      );
      expect(result.code).toBe(0);
      // Its `type` is an unrecognised field (ignored, in-toto statement.md): `_type` is missing.
      expect(result.stdout).toContain('statement:     error MALFORMED at $._type');
    },
  );

  describe('when the file is malformed', () => {
    it.each([
      ['junk base64', (t: string) => t.replace('"payload":"', '"payload":"*'), 'BAD_BASE64'],
      [
        'a duplicate key',
        (t: string) => t.replace('{', '{"payloadType":"x",'),
        'JSON_DUPLICATE_KEY',
      ],
      ['truncated JSON', (t: string) => t.slice(0, 40), 'JSON_SYNTAX'],
      [
        'a known field of the wrong type',
        (t: string) => t.replace(/"payloadType":"[^"]*"/, '"payloadType":7'),
        'MALFORMED',
      ],
    ])('prints a coded error on stderr and exits 2 (%s)', async (name, mangle, code) => {
      const file = join(dir, `bad-${name.replaceAll(' ', '-')}.json`);
      writeFileSync(file, mangle(readFileSync(await attestTo('dsse'), 'utf8')));
      const result = await runCli('inspect', file);
      expect(result.code).toBe(2);
      expect(result.stdout).toContain('UNVERIFIED');
      expect(result.stderr).toMatch(new RegExp(`^${file}: error ${code}`));
    });

    it('exits 2 with IO_ERROR for a missing file', async () => {
      const result = await runCli('inspect', join(dir, 'missing.json'));
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('vouch: error IO_ERROR');
    });
  });
});
