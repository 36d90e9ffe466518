import { verify } from 'node:crypto';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { documentSigners, parseSignedDocument } from '../src/attestation/attestation.js';
import { envelopeToBundle } from '../src/attestation/bundle.js';
import { verifiedKeys } from '../src/attestation/dsse.js';
import { IN_TOTO_PAYLOAD_TYPE, parseEnvelope } from '../src/attestation/envelope.js';
import { pae } from '../src/attestation/pae.js';
import { signStatement } from '../src/attestation/produce.js';
import {
  generateKeyPair,
  type KeygenAlgorithm,
  loadPrivateKey,
  loadPublicKey,
  type PublicKey,
} from '../src/crypto/keys.js';
import {
  atLeast,
  type Contender,
  compare,
  type Measurement,
  pairedRatio,
  type Ratio,
  type Suite,
} from './harness.js';
import { provenanceStatement } from './provenance.js';

export const RAW = 'raw node:crypto';
export const VOUCH = 'vouch';
export const SIGSTORE = '@sigstore/verify';
export const VOUCH_BUNDLE = 'vouch (bundle)';
export const TARGET = 0.85;

const ALGORITHMS: readonly KeygenAlgorithm[] = ['ed25519', 'ecdsa-p256'];

/** The same signed Statement in every form the contenders consume. */
interface Fixture {
  readonly publicKey: PublicKey;
  readonly envelopeBytes: Buffer;
  readonly bundleBytes: Buffer;
  /** The exact bytes the signature covers, and the signature: what raw verify gets. */
  readonly message: Buffer;
  readonly signature: Buffer;
  readonly payloadBytes: number;
}

function fixture(alg: KeygenAlgorithm): Fixture {
  const pair = generateKeyPair(alg);
  const key = loadPrivateKey(pair.privatePem);
  const statement = provenanceStatement();
  const envelopeBytes = Buffer.from(signStatement(statement, key, 'dsse'));
  const envelope = parseEnvelope(envelopeBytes);
  const [signature] = envelope.signatures;
  if (signature === undefined) throw new Error('signed envelope has no signature');
  // The bundle wraps the very same signature (Sigstore v0.3, public key hint = keyid).
  const bundleBytes = Buffer.from(JSON.stringify(envelopeToBundle(envelope, pair.keyid)));
  return {
    publicKey: loadPublicKey(pair.publicPem),
    envelopeBytes,
    bundleBytes,
    message: pae(envelope.payloadType, envelope.payload),
    signature: signature.sig,
    payloadBytes: envelope.payload.byteLength,
  };
}

/** Each contender must reject a tampered payload: a benchmark of a check that passes anything is void. */
function assertRejectsTampering(f: Fixture, verifier: Verifier): void {
  const envelope = JSON.parse(f.envelopeBytes.toString('utf8')) as { payload: string };
  const bundle = JSON.parse(f.bundleBytes.toString('utf8')) as {
    dsseEnvelope: { payload: string };
  };
  const tampered = Buffer.from(envelope.payload, 'base64');
  tampered[10] = (tampered[10] ?? 0) ^ 1;
  envelope.payload = tampered.toString('base64');
  bundle.dsseEnvelope.payload = envelope.payload;
  const rejected = [
    verifiedKeys(parseEnvelope(JSON.stringify(envelope)), [f.publicKey]).length === 0,
    documentSigners(parseSignedDocument(JSON.stringify(bundle)), [f.publicKey]).length === 0,
    !verify(
      f.publicKey.scheme === 'ed25519' ? null : 'sha256',
      pae(IN_TOTO_PAYLOAD_TYPE, tampered),
      f.publicKey.keyObject,
      f.signature,
    ),
  ];
  let sigstoreRejected = false;
  try {
    verifier.verify(toSignedEntity(bundleFromJSON(bundle)));
  } catch {
    sigstoreRejected = true;
  }
  if (!rejected.every(Boolean) || !sigstoreRejected)
    throw new Error('a contender accepts a tampered payload');
}

function contenders(alg: KeygenAlgorithm, f: Fixture): Contender[] {
  const keyObject = f.publicKey.keyObject;
  const digest = alg === 'ed25519' ? null : 'sha256';
  const trusted = [f.publicKey];
  // @sigstore/verify with keyed trust material: the hint finds the key; no tlog, no timestamps.
  const material = toTrustMaterial(TrustedRoot.fromJSON({}), (hint) => {
    if (hint !== f.publicKey.keyid) throw new Error(`unknown key hint ${hint}`);
    return { publicKey: keyObject, validFor: () => true };
  });
  const verifier = new Verifier(material, {
    tlogThreshold: 0,
    ctlogThreshold: 0,
    timestampThreshold: 0,
  });
  assertRejectsTampering(f, verifier);
  return [
    // The bound: one signature check over precomputed PAE bytes with a cached KeyObject.
    { name: RAW, op: () => verify(digest, f.message, keyObject, f.signature) },
    // Vouch as a policy check runs it: strict parse of the received bytes, PAE, verify.
    { name: VOUCH, op: () => verifiedKeys(parseEnvelope(f.envelopeBytes), trusted).length === 1 },
    {
      name: SIGSTORE,
      op: () => {
        const bundle = bundleFromJSON(JSON.parse(f.bundleBytes.toString('utf8')));
        verifier.verify(toSignedEntity(bundle));
        return true;
      },
    },
    // For information: the same bundle through Vouch's bundle path (strict parse, digest of
    // the received bytes, @sigstore/bundle, then @sigstore/verify set up per trusted key).
    {
      name: VOUCH_BUNDLE,
      op: () => documentSigners(parseSignedDocument(f.bundleBytes), trusted).length === 1,
    },
  ];
}

function find(measurements: readonly Measurement[], contender: string): Measurement {
  const m = measurements.find((x) => x.contender === contender);
  if (m === undefined) throw new Error(`no measurement for ${contender}`);
  return m;
}

export const dsseSuite: Suite = {
  name: 'dsse',
  description: 'DSSE envelope verifications per second (~2 KB SLSA provenance v1 Statement)',
  run(options, log) {
    const measurements: Measurement[] = [];
    const ratios: Ratio[] = [];
    for (const alg of ALGORITHMS) {
      const f = fixture(alg);
      log(
        `dsse ${alg}: payload ${f.payloadBytes} B, envelope ${f.envelopeBytes.byteLength} B, bundle ${f.bundleBytes.byteLength} B`,
      );
      const results = compare(alg, contenders(alg, f), options);
      measurements.push(...results);
      ratios.push(
        {
          name: `${alg} ${VOUCH}/${RAW}`,
          value: pairedRatio(find(results, VOUCH), find(results, RAW)),
          target: atLeast(TARGET),
        },
        {
          name: `${alg} ${SIGSTORE}/${RAW}`,
          value: pairedRatio(find(results, SIGSTORE), find(results, RAW)),
        },
        {
          name: `${alg} ${VOUCH_BUNDLE}/${SIGSTORE}`,
          value: pairedRatio(find(results, VOUCH_BUNDLE), find(results, SIGSTORE)),
        },
      );
    }
    return { suite: this.name, description: this.description, measurements, ratios };
  },
};
