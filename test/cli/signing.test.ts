import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildStatement } from '../../src/attestation/statement.js';
import { emitAttestation } from '../../src/cli/signing.js';
import { tempDir } from '../support/cli.js';
import { makeKeyFiles } from '../support/signing.js';

describe('when an attestation would exceed what verifiers read', () => {
  it('refuses with TOO_LARGE and writes nothing', async () => {
    const dir = tempDir();
    const key = makeKeyFiles(dir, 'k').prefix;
    const out = join(dir, 'big.dsse.json');
    // 13 MiB of predicate is over 16 MiB once base64-encoded in the envelope
    const statement = buildStatement([{ digest: { sha256: 'a'.repeat(64) } }], 'https://x.test/t', {
      blob: 'x'.repeat(13 * 1024 * 1024),
    });
    const io = { out: () => undefined, err: () => undefined };
    expect(() =>
      emitAttestation({ key: `${key}.key`, out, format: 'dsse' }, statement, io),
    ).toThrowWithCode('TOO_LARGE');
    expect(existsSync(out)).toBe(false);
  });
});
