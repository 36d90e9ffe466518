import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildStatement } from '../../src/attestation/statement.js';
import { emitAttestation } from '../../src/cli/signing.js';
import { makeKey } from '../support/attestations.js';
import { tempDir } from '../support/cli.js';
import { vouchErrorOf } from '../support/fixtures.js';

describe('when an attestation would exceed what verifiers read', () => {
  it('refuses with TOO_LARGE and writes nothing', async () => {
    const dir = tempDir();
    const key = await makeKey(dir, 'k');
    const out = join(dir, 'big.dsse.json');
    // 13 MiB of predicate is over 16 MiB once base64-encoded in the envelope
    const statement = buildStatement([{ digest: { sha256: 'a'.repeat(64) } }], 'https://x.test/t', {
      blob: 'x'.repeat(13 * 1024 * 1024),
    });
    const io = { out: () => undefined, err: () => undefined };
    const err = vouchErrorOf(() =>
      emitAttestation({ key: `${key}.key`, out, format: 'dsse' }, statement, io),
    );
    expect(err.code).toBe('TOO_LARGE');
    expect(existsSync(out)).toBe(false);
  });
});
