import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { PublicKey } from '../../src/crypto/keys.js';
import type { DsseJson } from './dsse-json.js';
import { REPO } from './paths.js';

/** Debian's interpreter, where python3-securesystemslib lives (not a pyenv python on PATH). */
export const SYSTEM_PYTHON = '/usr/bin/python3';
const PEER = join(REPO, 'test/peers/sslib_dsse.py');

/** A securesystemslib public key dict (keytype, scheme, keyval.public). */
export interface SslibKey {
  readonly keytype: 'ed25519' | 'ecdsa' | 'rsa';
  readonly scheme: string;
  readonly keyval: { readonly public: string };
}

/**
 * The installed securesystemslib version. Throws (so the interop tests fail, never skip) when
 * the Debian package is missing: the peer is part of what the tests prove.
 */
export function securesystemslibVersion(): string {
  const run = spawnSync(
    SYSTEM_PYTHON,
    ['-c', 'import securesystemslib; print(securesystemslib.__version__)'],
    { encoding: 'utf8' },
  );
  if (run.status !== 0) {
    throw new Error(
      `the interop peer python3-securesystemslib is not installed for ${SYSTEM_PYTHON}: ` +
        `apt-get install python3-securesystemslib (Debian package; .ci/run installs it)\n${run.stderr ?? run.error?.message ?? ''}`,
    );
  }
  return run.stdout.trim();
}

interface PeerRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

let peerChecked = false;

function runPeer(command: 'sign' | 'verify', request: unknown): PeerRun {
  if (!peerChecked) {
    securesystemslibVersion();
    peerChecked = true;
  }
  const run = spawnSync(SYSTEM_PYTHON, [PEER, command], {
    input: JSON.stringify(request),
    encoding: 'utf8',
  });
  if (run.error) throw run.error;
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The peer generates a fresh securesystemslib key and signs PAE(payloadType, payload). */
export function peerSign(request: {
  keytype: SslibKey['keytype'];
  scheme?: string;
  payloadType: string;
  payload: Uint8Array;
}): { envelope: DsseJson; key: SslibKey } {
  const run = runPeer('sign', {
    ...request,
    payload: Buffer.from(request.payload).toString('base64'),
  });
  if (run.status !== 0) throw new Error(`peer sign failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as { envelope: DsseJson; key: SslibKey };
}

export interface PeerVerdict {
  /** 0 verified, 1 no signature verified, 2 the peer could not read the request. */
  readonly status: number | null;
  readonly verified: readonly string[];
  readonly errors: readonly string[];
  readonly stderr: string;
}

/** The peer checks every signature of the envelope with one trusted key. */
export function peerVerify(envelope: unknown, key: SslibKey): PeerVerdict {
  const run = runPeer('verify', { envelope, key });
  if (run.status !== 0 && run.status !== 1) {
    return { status: run.status, verified: [], errors: [], stderr: run.stderr };
  }
  const out = JSON.parse(run.stdout) as { verified: string[]; errors: string[] };
  return { status: run.status, ...out, stderr: run.stderr };
}

/**
 * A Vouch public key as securesystemslib expects it: ed25519 as raw 32-byte hex, ECDSA and
 * RSA as SPKI PEM. Vouch signs RSA with PKCS#1 v1.5, hence rsa-pkcs1v15-sha256 by default.
 */
export function toSslibKey(key: PublicKey, rsaScheme = 'rsa-pkcs1v15-sha256'): SslibKey {
  switch (key.scheme) {
    case 'ed25519':
      return {
        keytype: 'ed25519',
        scheme: 'ed25519',
        keyval: { public: ed25519Raw(key.spkiDer).toString('hex') },
      };
    case 'ecdsa-p256-sha256':
      return { keytype: 'ecdsa', scheme: 'ecdsa-sha2-nistp256', keyval: { public: key.pem } };
    case 'rsa-sha256':
      return { keytype: 'rsa', scheme: rsaScheme, keyval: { public: key.pem } };
    case 'ecdsa-p384-sha384':
    case 'ecdsa-p521-sha512':
      throw new Error(`no securesystemslib mapping needed for ${key.scheme} in these tests`);
    default: {
      const never: never = key.scheme;
      throw new Error(`unknown scheme ${String(never)}`);
    }
  }
}

// RFC 8410: an Ed25519 SubjectPublicKeyInfo is this fixed 12-byte prefix + the 32-byte key.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function ed25519Raw(spkiDer: Buffer): Buffer {
  if (spkiDer.byteLength !== 44 || !spkiDer.subarray(0, 12).equals(ED25519_SPKI_PREFIX)) {
    throw new Error('not an Ed25519 SubjectPublicKeyInfo');
  }
  return spkiDer.subarray(12);
}

/** The peer's public key as a PEM for Vouch (ed25519: SPKI DER built from the raw key). */
export function peerKeyPem(key: SslibKey): string {
  if (key.keytype !== 'ed25519') return key.keyval.public;
  const raw = Buffer.from(key.keyval.public, 'hex');
  const der = Buffer.concat([ED25519_SPKI_PREFIX, raw]);
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN PUBLIC KEY-----\n${lines.join('\n')}\n-----END PUBLIC KEY-----\n`;
}
