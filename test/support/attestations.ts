import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { documentSigners, parseSignedDocument } from '../../src/attestation/attestation.js';
import { parseStatement, type Statement } from '../../src/attestation/statement.js';
import { loadPublicKey } from '../../src/crypto/keys.js';

/** Writes a small artifact file and returns its path. */
export function makeArtifact(dir: string, name = 'app.tar.gz', content = 'the app\n'): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/**
 * Checks an attestation file the way a verifier does (signature by the key, then the
 * Statement) and returns the Statement; fails the test if the signature does not verify.
 */
export function verifiedStatement(path: string, publicKeyPath: string): Statement {
  const doc = parseSignedDocument(readFileSync(path));
  const key = loadPublicKey(readFileSync(publicKeyPath, 'utf8'));
  expect(documentSigners(doc, [key]).map((k) => k.keyid)).toEqual([key.keyid]);
  return parseStatement(doc.envelope.payload);
}
