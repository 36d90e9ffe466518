import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OutputFormat } from '../../src/attestation/produce.js';
import type { KeygenAlgorithm } from '../../src/crypto/keys.js';
import { runCli, tempDir } from './cli.js';

/** A DSSE envelope as JSON (envelope.md), the form peers exchange. */
export interface DsseJson {
  payloadType: string;
  payload: string;
  signatures: { keyid?: string; sig: string }[];
}

export interface CliAttestation {
  /** The attestation file's text as vouch attest wrote it. */
  readonly text: string;
  readonly publicPem: string;
}

/** `vouch keygen` then `vouch attest` of a SLSA provenance Statement about `sha256:<digest>`. */
export async function attestWithCli(
  alg: KeygenAlgorithm,
  format: OutputFormat,
  digest: string,
): Promise<CliAttestation> {
  const dir = tempDir();
  const prefix = join(dir, 'signer');
  const keygen = await runCli('keygen', '--out', prefix, '--alg', alg);
  if (keygen.code !== 0) throw new Error(`vouch keygen failed: ${keygen.stderr}`);
  const predicate = join(dir, 'predicate.json');
  writeFileSync(
    predicate,
    JSON.stringify({ buildDefinition: { buildType: 'https://example.com/b' } }),
  );
  const out = join(dir, 'attestation.json');
  const attest = await runCli(
    'attest',
    '--subject',
    `app.tar.gz@sha256:${digest}`,
    '--predicate-type',
    'https://slsa.dev/provenance/v1',
    '--predicate',
    predicate,
    '--key',
    `${prefix}.key`,
    '--format',
    format,
    '--out',
    out,
  );
  if (attest.code !== 0) throw new Error(`vouch attest failed: ${attest.stderr}`);
  return { text: readFileSync(out, 'utf8'), publicPem: readFileSync(`${prefix}.pub`, 'utf8') };
}

/** The envelope with one payload bit flipped. */
export function tamperPayload(envelope: DsseJson): DsseJson {
  const payload = Buffer.from(envelope.payload, 'base64');
  payload[0] = (payload[0] ?? 0) ^ 0x20;
  return { ...envelope, payload: payload.toString('base64') };
}

/** The envelope with its payloadType changed (PAE covers it; DSSE protocol.md). */
export function tamperPayloadType(envelope: DsseJson): DsseJson {
  return { ...envelope, payloadType: `${envelope.payloadType} ` };
}

/** The envelope with the last bit of every signature flipped. */
export function tamperSignature(envelope: DsseJson): DsseJson {
  return {
    ...envelope,
    signatures: envelope.signatures.map((s) => {
      const sig = Buffer.from(s.sig, 'base64');
      sig[sig.byteLength - 1] = (sig[sig.byteLength - 1] ?? 0) ^ 0x01;
      return { ...s, sig: sig.toString('base64') };
    }),
  };
}

export const TAMPERINGS = [
  ['payload', tamperPayload],
  ['payloadType', tamperPayloadType],
  ['signature', tamperSignature],
] as const;
