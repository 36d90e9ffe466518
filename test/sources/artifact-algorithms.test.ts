import { describe, expect, it } from 'vitest';
import { descriptorAlgorithms, subjectAlgorithms } from '../../src/sources/artifact-algorithms.js';
import { bundle, dsse, makeKey, PROVENANCE, statementJson } from '../support/signing.js';

const key = makeKey();
const SHA256 = 'a'.repeat(64);
const SHA512 = 'b'.repeat(128);
const doc = (digest: Record<string, string>): { bytes: string } => ({
  bytes: dsse(statementJson(digest, PROVENANCE, {}), [key]),
});

describe('subjectAlgorithms', () => {
  describe('when every subject has a sha256', () => {
    it('is sha256 alone', () => {
      expect(subjectAlgorithms([doc({ sha256: SHA256 }), doc({ sha256: SHA256 })])).toEqual([
        'sha256',
      ]);
    });
  });

  describe('when a subject names another matching algorithm', () => {
    it('adds it, from envelopes and bundles alike (npm subjects carry sha512 alone)', () => {
      expect(subjectAlgorithms([doc({ sha512: SHA512 })])).toEqual(['sha256', 'sha512']);
      const inBundle = {
        bytes: bundle(statementJson({ sha3_256: SHA256 }, PROVENANCE, {}), key),
      };
      expect(subjectAlgorithms([inBundle])).toEqual(['sha256', 'sha3_256']);
    });

    it('ignores algorithms too weak to match (md5, sha1) and non-file digests', () => {
      const weak = doc({ md5: 'c'.repeat(32), sha1: 'd'.repeat(40), gitCommit: 'e'.repeat(40) });
      expect(subjectAlgorithms([weak])).toEqual(['sha256']);
    });
  });

  describe('when a document does not parse', () => {
    it('is skipped: it cannot count, so it asks for nothing', () => {
      const broken = [{ bytes: '{"payloadType":' }, { bytes: 'null' }, { bytes: new Uint8Array() }];
      expect(subjectAlgorithms([...broken, doc({ sha384: 'f'.repeat(96) })])).toEqual([
        'sha256',
        'sha384',
      ]);
    });
  });
});

describe('descriptorAlgorithms', () => {
  it('is the union over parsed subjects, sha256 first', () => {
    expect(
      descriptorAlgorithms([{ digest: { sha512: SHA512 } }, { digest: { sha256: SHA256 } }]),
    ).toEqual(['sha256', 'sha512']);
  });
});
