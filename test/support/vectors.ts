import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root. */
export const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/**
 * Shared conformance vectors, read in place (never copied into the project): VOUCH_VECTORS, or
 * ../shared/vectors beside the clone.
 */
export const VECTORS = resolve(REPO, process.env.VOUCH_VECTORS ?? '../shared/vectors');

/** Whether the vectors are there; vectors-setup.ts reports (or fails) when not. */
export const HAVE_VECTORS = existsSync(join(VECTORS, 'MANIFEST.md'));

/**
 * Conformance suites that are runs over the vectors from their first line (they read them while
 * collecting): left out of the run without them. Suites that also test other things mark their
 * vector tests with describeWithVectors or itWithVectors (paths.ts) instead.
 */
export const VECTOR_SUITES: readonly string[] = [
  'test/attestation/dsse-conformance.test.ts',
  'test/attestation/gcb-signatures.test.ts',
  'test/attestation/in-toto-validation-conformance.test.ts',
  'test/attestation/in-toto-verifier-conformance.test.ts',
  // Keyless Sigstore: every case is a real bundle, certificate or trusted root from the corpus.
  'test/conformance/sigstore-conformance.test.ts',
  'test/trust/bundle-evidence.property.test.ts',
  'test/trust/bundle-evidence.test.ts',
  'test/trust/keyless-verify.test.ts',
  'test/trust/trust-cli.test.ts',
  'test/trust/trusted-root.test.ts',
  // Real producers' documents and the npm registry's keys.
  'test/attestation/producer-fields.test.ts',
  'test/sources/npm-attestations.test.ts',
];
