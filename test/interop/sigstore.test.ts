import { generateKeyPairSync, sign } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  assertBundle,
  BUNDLE_V03_MEDIA_TYPE,
  bundleFromJSON,
  bundleToJSON,
  isBundleWithPublicKey,
  toDSSEBundle,
} from '@sigstore/bundle';
import { dsse } from '@sigstore/core';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  documentSigners,
  parseSignedDocument,
  type SignedDocument,
} from '../../src/attestation/attestation.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../../src/attestation/envelope.js';
import { buildStatement } from '../../src/attestation/statement.js';
import {
  KEYGEN_ALGORITHMS,
  type KeygenAlgorithm,
  loadPublicKey,
  type PublicKey,
} from '../../src/crypto/keys.js';
import { VouchError } from '../../src/errors.js';
import {
  attestWithCli,
  type DsseJson,
  tamperPayload,
  tamperSignature,
} from '../support/dsse-json.js';
import { describeWithVectors, vector } from '../support/paths.js';
import { makeKey } from '../support/signing.js';

const SLSA_V1 = 'https://slsa.dev/provenance/v1';
const DIGEST = 'c'.repeat(64);

type Json = Record<string, unknown>;
const readJson = (...parts: string[]): Json =>
  JSON.parse(readFileSync(vector(...parts), 'utf8')) as Json;
const readKey = (...parts: string[]): PublicKey =>
  loadPublicKey(readFileSync(vector(...parts), 'utf8'));

/** @sigstore/verify with keyed trust material: the bundle's key hint must name `key`. */
function sigstoreVerifies(bundleJson: unknown, key: PublicKey): void {
  const bundle = bundleFromJSON(bundleJson);
  const material = toTrustMaterial(TrustedRoot.fromJSON({}), (hint) => {
    if (hint !== key.keyid) throw new Error(`no key for hint ${hint}`);
    return { publicKey: key.keyObject, validFor: () => true };
  });
  const verifier = new Verifier(material, {
    tlogThreshold: 0,
    ctlogThreshold: 0,
    timestampThreshold: 0,
  });
  verifier.verify(toSignedEntity(bundle));
}

const signers = (
  text: string,
  keys: readonly PublicKey[],
  trustedRoot?: unknown,
): readonly string[] =>
  documentSigners(
    parseSignedDocument(text),
    keys,
    trustedRoot === undefined ? {} : { trustedRoot },
  ).map((k) => k.keyid);

function errorCode(action: () => unknown): string {
  try {
    action();
  } catch (err) {
    if (err instanceof VouchError) return err.code;
    throw err;
  }
  return 'no error';
}

const envelopeOf = (bundle: Json): DsseJson => bundle.dsseEnvelope as DsseJson;

/** Copies a bundle with its DSSE envelope changed. */
const withEnvelope = (bundle: Json, change: (e: DsseJson) => DsseJson): Json => ({
  ...bundle,
  dsseEnvelope: change(envelopeOf(bundle)),
});

describe('interop with sigstore-js (@sigstore/bundle, @sigstore/verify)', () => {
  describe('when Vouch writes a bundle', () => {
    describe.each(KEYGEN_ALGORITHMS)('signed with a %s key', (alg: KeygenAlgorithm) => {
      let bundle: Json;
      let key: PublicKey;

      beforeAll(async () => {
        const signed = await attestWithCli(alg, 'bundle', DIGEST);
        bundle = JSON.parse(signed.text) as Json;
        key = loadPublicKey(signed.publicPem);
      });

      it('is a valid v0.3 keyed DSSE bundle for @sigstore/bundle', () => {
        expect(bundle.mediaType).toBe(BUNDLE_V03_MEDIA_TYPE);
        const parsed = bundleFromJSON(bundle);
        assertBundle(parsed);
        expect(isBundleWithPublicKey(parsed)).toBe(true);
        expect(parsed.verificationMaterial.content).toEqual({
          $case: 'publicKey',
          publicKey: { hint: key.keyid },
        });
        expect(parsed.content.$case).toBe('dsseEnvelope');
      });

      it('verifies with @sigstore/verify', () => {
        expect(() => sigstoreVerifies(bundle, key)).not.toThrow();
      });

      it('fails in @sigstore/verify when the payload is tampered', () => {
        expect(() => sigstoreVerifies(withEnvelope(bundle, tamperPayload), key)).toThrow(
          /signature verification failed/,
        );
      });

      it('fails in @sigstore/verify when the signature is tampered', () => {
        expect(() => sigstoreVerifies(withEnvelope(bundle, tamperSignature), key)).toThrow(
          /signature verification failed/,
        );
      });

      it('fails in @sigstore/verify with another key under the same hint', () => {
        const other = makeKey(alg).key.publicKey;
        const impostor = { ...other, keyid: key.keyid };
        expect(() => sigstoreVerifies(bundle, impostor)).toThrow(/signature verification failed/);
      });
    });
  });

  describeWithVectors('when a peer made a keyed bundle', () => {
    const jsFixture = (file: string): string[] => ['sigstore-js', 'client-fixtures', file];

    describe('sigstore-js valid.v1.dsse.withPublicKey (hint "key-1", Rekor intoto entry)', () => {
      const text = readFileSync(
        vector(...jsFixture('valid.v1.dsse.withPublicKey.sigstore.json')),
        'utf8',
      );
      const key = readKey(...jsFixture('publicKey.key-1.pem'));
      const root = readJson(...jsFixture('trusted_root.json'));

      it('verifies with its trusted root, the tlog entry checked', () => {
        expect(signers(text, [key], root)).toEqual([key.keyid]);
      });

      it('verifies without a trusted root (the key alone is trusted)', () => {
        expect(signers(text, [key])).toEqual([key.keyid]);
      });

      it('is not verified when the trusted root has no transparency log for its entry', () => {
        expect(signers(text, [key], { ...root, tlogs: [] })).toEqual([]);
      });

      it('is not verified when its tlog entry is altered and a trusted root is given', () => {
        const bundle = JSON.parse(text) as {
          verificationMaterial: { tlogEntries: { integratedTime: string }[] };
        };
        const entry = bundle.verificationMaterial.tlogEntries[0];
        if (entry === undefined) throw new Error('fixture has no tlog entry');
        entry.integratedTime = String(Number(entry.integratedTime) + 1);
        expect(signers(JSON.stringify(bundle), [key], root)).toEqual([]);
      });

      it('is not verified when its payload is tampered, with or without a root', () => {
        const tampered = JSON.stringify(withEnvelope(JSON.parse(text) as Json, tamperPayload));
        expect(signers(tampered, [key], root)).toEqual([]);
        expect(signers(tampered, [key])).toEqual([]);
      });

      it('is not verified by another key', () => {
        const other = readKey('sigstore-go', 'examples', 'publish_key.pub');
        expect(signers(text, [other], root)).toEqual([]);
      });
    });

    describe('sigstore-go examples/bundle-publish.json (npm registry keyed publish attestation)', () => {
      const text = readFileSync(vector('sigstore-go', 'examples', 'bundle-publish.json'), 'utf8');
      const key = readKey('sigstore-go', 'examples', 'publish_key.pub');
      const root = readJson('sigstore-trust-roots', 'production', 'trusted_root.json');

      it('verifies with the production trusted root and without one', () => {
        expect(signers(text, [key], root)).toEqual([key.keyid]);
        expect(signers(text, [key])).toEqual([key.keyid]);
      });

      it('is found among several trusted keys whatever its hint says', () => {
        const others = [1, 2].map(() => makeKey('ecdsa-p256').key.publicKey);
        expect(signers(text, [...others, key], root)).toEqual([key.keyid]);
      });

      it('is not verified when its signature is tampered', () => {
        const tampered = JSON.stringify(withEnvelope(JSON.parse(text) as Json, tamperSignature));
        expect(signers(tampered, [key], root)).toEqual([]);
        expect(signers(tampered, [key])).toEqual([]);
      });
    });

    describe.each([
      {
        alg: 'ecdsa-p256',
        hash: 'sha256',
        pair: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }),
      },
      { alg: 'ed25519', hash: null, pair: () => generateKeyPairSync('ed25519') },
    ])('built with toDSSEBundle and signed by node:crypto ($alg)', ({ hash, pair: makePair }) => {
      // No Vouch code makes this bundle: @sigstore/core's PAE, node:crypto, @sigstore/bundle.
      const pair = makePair();
      const statement = buildStatement([{ digest: { sha256: DIGEST } }], SLSA_V1, {});
      const artifact = Buffer.from(JSON.stringify(statement));
      const signature = sign(
        hash,
        dsse.preAuthEncoding(IN_TOTO_PAYLOAD_TYPE, artifact),
        pair.privateKey,
      );
      const bundle = bundleToJSON(
        toDSSEBundle({
          artifact,
          artifactType: IN_TOTO_PAYLOAD_TYPE,
          signature,
          keyHint: 'peer',
        }),
      ) as unknown as Json;
      const key = loadPublicKey(pair.publicKey.export({ format: 'pem', type: 'spki' }).toString());

      it('verifies in Vouch', () => {
        expect(signers(JSON.stringify(bundle), [key])).toEqual([key.keyid]);
      });

      it('is not verified when the payload or signature is tampered', () => {
        for (const tamper of [tamperPayload, tamperSignature]) {
          expect(signers(JSON.stringify(withEnvelope(bundle, tamper)), [key])).toEqual([]);
        }
      });
    });
  });

  describeWithVectors('when a peer made a keyless (certificate) bundle', () => {
    const dir = vector('sigstore-js', 'tests-bundles');
    const files = readdirSync(dir).filter((f) => f.endsWith('.sigstore'));
    const root = readJson('sigstore-trust-roots', 'production', 'trusted_root.json');
    const keys = [
      readKey('sigstore-go', 'examples', 'publish_key.pub'),
      makeKey('ecdsa-p256').key.publicKey,
    ];

    it('finds the nine sigstore-js production bundles', () => {
      expect(files).toHaveLength(9);
    });

    // Keyless identities come later: until then no key can vouch for a certificate bundle.
    it.each(files)('parses %s but no trusted key verifies it', (file) => {
      const doc: SignedDocument = parseSignedDocument(readFileSync(join(dir, file)));
      expect(doc.format).toBe('bundle');
      if (doc.format !== 'bundle') return;
      expect(doc.bundle.signer).toBe('certificate');
      expect(documentSigners(doc, keys, { trustedRoot: root })).toEqual([]);
      expect(documentSigners(doc, keys)).toEqual([]);
    });
  });

  describeWithVectors('when a bundle is outside what Vouch reads', () => {
    it('rejects the conformance bundle with version 99.9 as UNSUPPORTED_BUNDLE', () => {
      const text = readFileSync(
        vector(
          'sigstore-conformance',
          'assets',
          'bundle-verify',
          'bundle-unknown-version_fail',
          'bundle.sigstore.json',
        ),
      );
      expect(errorCode(() => parseSignedDocument(text))).toBe('UNSUPPORTED_BUNDLE');
    });

    it.each([
      'application/vnd.dev.sigstore.bundle.v0.4+json',
      'application/vnd.dev.sigstore.bundle+json;version=0.4',
    ])('rejects a valid keyed bundle relabelled %s as UNSUPPORTED_BUNDLE', (mediaType) => {
      // sigstore-js's own test accepts 0.4; Vouch fails closed on versions it does not know.
      const bundle = readJson('sigstore-go', 'examples', 'bundle-publish.json');
      const text = JSON.stringify({ ...bundle, mediaType });
      expect(errorCode(() => parseSignedDocument(text))).toBe('UNSUPPORTED_BUNDLE');
    });

    it('rejects the sigstore-go bundle with two DSSE signatures as MALFORMED', () => {
      const text = readFileSync(
        vector('sigstore-go', 'testing-data', 'bundles', 'dsse-2sigs.sigstore.json'),
      );
      expect(errorCode(() => parseSignedDocument(text))).toBe('MALFORMED');
    });

    it('rejects a keyed bundle given a second DSSE signature as MALFORMED', () => {
      const bundle = readJson('sigstore-go', 'examples', 'bundle-publish.json');
      const twice = withEnvelope(bundle, (e) => ({
        ...e,
        signatures: [...e.signatures, ...e.signatures],
      }));
      expect(errorCode(() => parseSignedDocument(JSON.stringify(twice)))).toBe('MALFORMED');
    });
  });
});
