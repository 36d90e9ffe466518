import { HAVE_VECTORS, VECTOR_SUITES, VECTORS } from './vectors.js';

/**
 * Vitest global setup: without the shared vectors, the conformance suites that read them are
 * skipped and this says so in one line; VOUCH_REQUIRE_VECTORS=1 (CI) makes that a failure.
 */
export default function setup(): void {
  if (HAVE_VECTORS) return;
  if (process.env.VOUCH_REQUIRE_VECTORS === '1') {
    throw new Error(
      `shared vectors not found at ${VECTORS} and VOUCH_REQUIRE_VECTORS=1: set VOUCH_VECTORS to the vectors directory`,
    );
  }
  console.warn(
    `vouch: skipped the tests that read the shared vectors (${VECTOR_SUITES.length} whole suites and the DSSE, in-toto, Sigstore, SLSA, OpenVEX and keyless corpus cases): none at ${VECTORS}; set VOUCH_VECTORS=DIR to run them`,
  );
}
