import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sigstoreBundleFromJson } from '../../src/attestation/bundle.js';
import { parseStrictJson } from '../../src/encoding/strict-json.js';
import { verifyBundleEvidence } from '../../src/trust/bundle-evidence.js';
import { compileIdentity } from '../../src/trust/identity.js';
import { publicGoodRoot } from '../../src/trust/public-good.js';
import { vector } from '../support/paths.js';

const original = readFileSync(
  vector('slsa-verifier', 'cli', 'slsa-verifier', 'testdata', 'bcr', 'MODULE.bazel.intoto.jsonl'),
);
const identity = compileIdentity({
  issuer: 'https://token.actions.githubusercontent.com',
  subject:
    'https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml@refs/tags/v0.0.1',
});

/** The signed payload a document proves for the identity, or undefined when it proves nothing. */
function provenPayload(bytes: Uint8Array): string | undefined {
  try {
    const bundle = sigstoreBundleFromJson(parseStrictJson(bytes));
    const { signer } = verifyBundleEvidence(bundle, { root: publicGoodRoot() });
    if (signer.kind !== 'certificate' || signer.identity === undefined) return undefined;
    if (identity.mismatch(signer.identity) !== undefined) return undefined;
    if (bundle.content.$case !== 'dsseEnvelope') return undefined;
    const { payloadType, payload } = bundle.content.dsseEnvelope;
    return `${payloadType}\n${payload.toString('base64')}`;
  } catch {
    return undefined;
  }
}

describe('a real keyless bundle under byte mutations (property)', () => {
  const proven = provenPayload(original);

  it('verifies as shipped', () => {
    expect(proven).toBeDefined();
  });

  it('never proves another payload: a mutation is refused or changes nothing that is signed', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: original.length - 1 }), fc.integer({ min: 1, max: 255 })), {
          minLength: 1,
          maxLength: 3,
        }),
        (flips) => {
          const mutated = Buffer.from(original);
          for (const [at, xor] of flips) mutated[at] = (mutated[at] ?? 0) ^ xor;
          const got = provenPayload(mutated);
          return got === undefined || got === proven;
        },
      ),
      { numRuns: 150 },
    );
  });
});
