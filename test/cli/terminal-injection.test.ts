import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeTerminal } from '../../src/encoding/terminal-text.js';
import { runCli } from '../support/cli.js';
import { EVALUATED_AT, type PolicyDir, writePolicyDir } from '../support/policy-dir.js';
import { dsse, makeKey, PROVENANCE } from '../support/signing.js';

// What an attacker with write access to the attestation store prints if text goes out raw:
// erase the line, move up, and write a verdict of their own, in green.
const FAKE =
  '\r\u001b[2K\u001b[1A\u001b[32mALLOWED: app.tar.gz sha256:ok\u001b[0m\n[satisfied] all\u202e';

// A byte a terminal acts on: C0 controls, DEL, C1 controls, bidi and other format characters.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const ACTIVE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;

let p: PolicyDir;
let junk: string;
beforeAll(() => {
  p = writePolicyDir();
  junk = join(p.dir, 'junk');
  mkdirSync(junk);
  const stranger = makeKey();
  // Signed by a key outside the policy, with hostile text in every field a message quotes.
  const statement = JSON.stringify({
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: FAKE, digest: { sha256: 'ab'.repeat(32), [FAKE]: 'x' } }],
    predicateType: PROVENANCE,
    predicate: { [FAKE]: FAKE, builder: FAKE },
  });
  const envelope = JSON.parse(dsse(statement, [stranger])) as {
    signatures: { keyid: string }[];
  };
  for (const s of envelope.signatures) s.keyid = FAKE;
  writeFileSync(join(junk, 'a.dsse.json'), JSON.stringify(envelope));
  writeFileSync(
    join(junk, 'b.dsse.json'),
    JSON.stringify({ ...envelope, payloadType: FAKE, [FAKE]: 1 }),
  );
  writeFileSync(join(junk, `${FAKE}.json`), '{"payloadType": 1}');
  writeFileSync(join(junk, `${FAKE}.txt`), 'skipped by extension');
});
afterAll(() => rmSync(p.dir, { recursive: true, force: true }));

function expectInert(text: string): void {
  expect(text).not.toMatch(ACTIVE);
}

describe('untrusted text in text output', () => {
  it('vouch verify cannot be made to print a fake ALLOWED line', async () => {
    const result = await runCli(
      'verify',
      '--policy',
      p.policy,
      '--artifact',
      p.artifact,
      '--attestations',
      junk,
      p.provenance,
      '--at',
      EVALUATED_AT,
    );
    expect(result.code).toBe(1);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^DENIED: /);
    expect(lines.filter((l) => l.includes('ALLOWED')).every((l) => !l.startsWith('ALLOWED'))).toBe(
      true,
    );
    for (const line of lines) expectInert(line);
    // The hostile file name is still named, visibly escaped.
    expect(result.stdout).toContain('\\r\\e[2K\\e[1A\\e[32mALLOWED: app.tar.gz');
    expectInert(result.stderr);
  });

  it('vouch inspect keeps its UNVERIFIED banner on every document', async () => {
    for (const file of ['a.dsse.json', 'b.dsse.json']) {
      const result = await runCli('inspect', join(junk, file));
      expectInert(result.stdout.replaceAll('\n', ''));
      expectInert(result.stderr.replaceAll('\n', ''));
      const [banner, ...rest] = result.stdout.split('\n');
      expect(banner).toMatch(/\[UNVERIFIED: signatures not checked; do not trust these claims\]$/);
      // No line but the first may claim anything about verification.
      expect(rest.join('\n')).not.toMatch(/^\S/m);
    }
  });

  it('vouch inspect on a file with a hostile name escapes it in the error line too', async () => {
    const result = await runCli('inspect', join(junk, `${FAKE}.json`));
    expect(result.code).toBe(2);
    expectInert(result.stdout.replaceAll('\n', ''));
    expectInert(result.stderr.replaceAll('\n', ''));
  });

  it('vouch verify-envelope escapes origins and messages', async () => {
    const result = await runCli('verify-envelope', '--key', join(p.dir, 'keys', 'alice.pub'), junk);
    expect(result.code).toBe(1);
    expectInert(result.stdout.replaceAll('\n', ''));
    expectInert(result.stderr.replaceAll('\n', ''));
  });
});

// Code units weighted towards the ranges that matter (controls, C1, the format characters).
const codeUnit = fc
  .oneof(
    fc.integer({ min: 0, max: 0xa0 }),
    fc.integer({ min: 0x2000, max: 0x2070 }),
    fc.integer({ min: 0, max: 0xffff }),
  )
  .map((c) => String.fromCharCode(c));

describe('escapeTerminal', () => {
  it('leaves ordinary text, including non-ASCII names, as it is', () => {
    expect(escapeTerminal('app-1.0 – ünïcødé 名前 sha256:ab')).toBe(
      'app-1.0 – ünïcødé 名前 sha256:ab',
    );
  });

  it('shows every active character as a visible escape', () => {
    expect(escapeTerminal('a\nb\r\u001b[2J\u009b\u202e\u0000')).toBe(
      'a\\nb\\r\\e[2J\\u009b\\u202e\\u0000',
    );
  });

  it('property: the output never holds an active character, and inert text is unchanged', () => {
    fc.assert(
      fc.property(fc.string({ unit: codeUnit, maxLength: 200 }), (text) => {
        const out = escapeTerminal(text);
        expectInert(out);
        if (!ACTIVE.test(text)) expect(out).toBe(text);
      }),
      { seed: 9, numRuns: 2000 },
    );
  });
});
