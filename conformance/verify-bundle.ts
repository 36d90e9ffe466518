import { hash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
// Module by module rather than src/index.js: the suite starts this client 140 times.
import { sigstoreBundleFromJson } from '../src/attestation/bundle.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../src/attestation/envelope.js';
import { parseStatement } from '../src/attestation/statement.js';
import { loadPublicKey } from '../src/crypto/keys.js';
import { parseStrictJson } from '../src/encoding/strict-json.js';
import { asVouchError, VouchError } from '../src/errors.js';
import {
  type BundleEvidence,
  type MessageArtifact,
  verifyBundleEvidence,
} from '../src/trust/bundle-evidence.js';
import { compileIdentity } from '../src/trust/identity.js';
import { publicGoodRoot } from '../src/trust/public-good.js';
import { parseTrustedRoot, type TrustRoot } from '../src/trust/trusted-root.js';
import { verifyPrehashed } from './prehashed.js';

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/**
 * sigstore-conformance docs/cli_protocol.md, verify-bundle on Vouch's library:
 *   verify-bundle [--staging] --bundle FILE (--certificate-identity ID
 *     --certificate-oidc-issuer URL | --key PEM) [--trusted-root FILE] FILE_OR_DIGEST
 * Exit 0: verified; 1: not verified; 2: usage.
 */
export function main(argv: readonly string[], io: Io): number {
  const [command, ...rest] = argv;
  if (command !== 'verify-bundle') {
    io.err(
      `sigstore-client: only verify-bundle is supported (signing needs live Sigstore services)\n`,
    );
    return 2;
  }
  let args: ReturnType<typeof parse>;
  try {
    args = parse(rest);
  } catch (err) {
    io.err(`sigstore-client: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  try {
    verifyBundle(args);
    io.out('OK\n');
    return 0;
  } catch (err) {
    io.err(`sigstore-client: ${asVouchError(err).describe()}\n`);
    return 1;
  }
}

interface Args {
  readonly staging: boolean;
  readonly bundle: string;
  readonly identity: string | undefined;
  readonly issuer: string | undefined;
  readonly key: string | undefined;
  readonly trustedRoot: string | undefined;
  readonly input: string;
}

function parse(argv: string[]): Args {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      staging: { type: 'boolean' },
      bundle: { type: 'string' },
      'certificate-identity': { type: 'string' },
      'certificate-oidc-issuer': { type: 'string' },
      key: { type: 'string' },
      'trusted-root': { type: 'string' },
    },
  });
  const [input] = positionals;
  if (positionals.length !== 1 || input === undefined) throw new Error('give one FILE_OR_DIGEST');
  if (values.bundle === undefined) throw new Error('--bundle is required');
  const keyless =
    values['certificate-identity'] !== undefined && values['certificate-oidc-issuer'] !== undefined;
  if (keyless === (values.key !== undefined)) {
    throw new Error('give --certificate-identity and --certificate-oidc-issuer, or --key');
  }
  return {
    staging: values.staging === true,
    bundle: values.bundle,
    identity: values['certificate-identity'],
    issuer: values['certificate-oidc-issuer'],
    key: values.key,
    trustedRoot: values['trusted-root'],
    input,
  };
}

function verifyBundle(args: Args): void {
  const root = trustRoot(args);
  const bundle = sigstoreBundleFromJson(parseStrictJson(readFileSync(args.bundle)));
  const key =
    args.key === undefined ? undefined : loadPublicKey(readFileSync(args.key, 'utf8'), args.key);
  const artifact = artifactOf(args.input);
  const evidence = verifyBundleEvidence(bundle, { root, key, artifact: artifact.message });
  checkSigner(evidence, args);
  if (bundle.content.$case === 'dsseEnvelope') {
    // Protocol: for a DSSE bundle the input is a subject of its in-toto Statement.
    const { payloadType, payload } = bundle.content.dsseEnvelope;
    if (payloadType !== IN_TOTO_PAYLOAD_TYPE) {
      throw new VouchError('WRONG_PAYLOAD_TYPE', `payloadType is ${payloadType}`);
    }
    const statement = parseStatement(payload);
    if (!statement.subject.some((s) => s.digest.sha256?.toLowerCase() === artifact.sha256Hex)) {
      throw new VouchError('SUBJECT_MISMATCH', `no subject has sha256 ${artifact.sha256Hex}`);
    }
  }
}

function trustRoot(args: Args): TrustRoot {
  if (args.trustedRoot !== undefined) {
    return parseTrustedRoot(readFileSync(args.trustedRoot), args.trustedRoot);
  }
  if (args.staging) {
    throw new VouchError('USAGE', 'Vouch ships no staging root: pass --trusted-root');
  }
  return publicGoodRoot();
}

const DIGEST = /^sha256:([0-9a-f]{64})$/;

/** Protocol: `sha256:<64 hex>` that is not a path on disk is a digest; anything else a path. */
function artifactOf(input: string): { message: MessageArtifact; sha256Hex: string } {
  const digest = DIGEST.exec(input)?.[1];
  if (digest !== undefined && !existsSync(input)) {
    const sha256 = Buffer.from(digest, 'hex');
    return { message: { sha256, verifyDigest: verifyPrehashed }, sha256Hex: digest };
  }
  const bytes = readFileSync(input);
  return { message: { bytes }, sha256Hex: hash('sha256', bytes, 'hex') };
}

function checkSigner(evidence: BundleEvidence, args: Args): void {
  const { signer } = evidence;
  if (args.key !== undefined) {
    if (signer.kind !== 'key')
      throw new VouchError('UNTRUSTED_SIGNER', 'the bundle is keyless, a key was given');
    return;
  }
  if (signer.kind !== 'certificate' || signer.identity === undefined) {
    throw new VouchError('UNTRUSTED_SIGNER', 'the bundle has no certificate identity');
  }
  const why = compileIdentity({ issuer: args.issuer ?? '', subject: args.identity }).mismatch(
    signer.identity,
  );
  if (why !== undefined) throw new VouchError('UNTRUSTED_SIGNER', why);
}
