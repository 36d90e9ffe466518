import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './cli.js';
import {
  bundle,
  digestOf,
  dsse,
  makeKey,
  PROVENANCE,
  provenance,
  review,
  statementJson,
  VULN_REVIEW,
} from './signing.js';

export const ARTIFACT_CONTENT = 'app v1 bytes';
export const EVALUATED_AT = '2026-11-23T10:00:00Z';

/**
 * A project directory as a user has it: keys/, policy.yaml (the DESIGN.md section 5 example),
 * the artifact, and attestations as files, a directory, a bundle and an .intoto.jsonl file.
 */
export interface PolicyDir {
  readonly dir: string;
  readonly policy: string;
  readonly artifact: string;
  /** Provenance by builder. */
  readonly provenance: string;
  /** Directory with alice's fresh review (DSSE) and bob's fresh review (bundle). */
  readonly reviews: string;
  /** Two lines: carol's expired review and a malformed line. */
  readonly jsonl: string;
  /** A review signed by alice on 2026-11-01 (expired at EVALUATED_AT). */
  readonly expired: string;
}

export function writePolicyDir(): PolicyDir {
  const dir = tempDir('vouch-policy-');
  const builder = makeKey();
  const alice = makeKey('ed25519');
  const bob = makeKey();
  const carol = makeKey();
  mkdirSync(join(dir, 'keys'));
  for (const [name, key] of Object.entries({ builder, alice, bob, carol })) {
    writeFileSync(join(dir, 'keys', `${name}.pub`), key.pem);
  }
  const policy = join(dir, 'policy.yaml');
  writeFileSync(
    policy,
    `apiVersion: vouch/v1
kind: Policy
metadata: {name: production}
spec:
  clockSkew: 5m
  authorities:
    builder:  {keys: [{file: keys/builder.pub}]}
    security: {keys: [{file: keys/alice.pub}, {file: keys/bob.pub}, {file: keys/carol.pub}]}
  requirements:
    - name: provenance
      predicateType: ${PROVENANCE}
      signers: [builder]
      condition: predicate.buildDefinition.externalParameters.workflow.repository == "https://github.com/acme/app"
    - name: vuln-review
      predicateType: ${VULN_REVIEW}
      signers: [security]
      threshold: 2
      maxAge: 168h
      condition: predicate.decision == "approved"
  allow: provenance && vuln-review
`,
  );
  const artifact = join(dir, 'app.tar.gz');
  writeFileSync(artifact, ARTIFACT_CONTENT);
  const digest = digestOf(ARTIFACT_CONTENT);
  const att = join(dir, 'attestations');
  const reviews = join(att, 'reviews');
  mkdirSync(reviews, { recursive: true });
  const provenanceFile = join(att, 'provenance.dsse.json');
  writeFileSync(provenanceFile, dsse(statementJson(digest, PROVENANCE, provenance()), [builder]));
  writeFileSync(
    join(reviews, 'alice.dsse.json'),
    dsse(statementJson(digest, VULN_REVIEW, review('2026-11-22T10:00:00Z')), [alice]),
  );
  writeFileSync(
    join(reviews, 'bob.sigstore.json'),
    bundle(statementJson(digest, VULN_REVIEW, review('2026-11-23T08:00:00Z')), bob),
  );
  writeFileSync(join(reviews, 'notes.txt'), 'not an attestation: skipped in directories');
  const jsonl = join(att, 'more.intoto.jsonl');
  writeFileSync(
    jsonl,
    `${dsse(statementJson(digest, VULN_REVIEW, review('2026-11-01T10:00:00Z')), [carol])}\n{"broken":\n`,
  );
  const expired = join(att, 'expired.dsse.json');
  writeFileSync(
    expired,
    dsse(statementJson(digest, VULN_REVIEW, review('2026-11-01T10:00:00Z')), [alice]),
  );
  return {
    dir,
    policy,
    artifact,
    provenance: provenanceFile,
    reviews,
    jsonl,
    expired,
  };
}
