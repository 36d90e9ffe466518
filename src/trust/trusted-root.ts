import { hash } from 'node:crypto';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { type TrustMaterial, toTrustMaterial } from '@sigstore/verify';
import { type JsonLimits, parseStrictJson } from '../encoding/strict-json.js';
import { asVouchError, VouchError } from '../errors.js';

// protobuf-specs TrustedRoot media types (trustroot.proto).
const MEDIA_TYPES: ReadonlySet<string> = new Set([
  'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
  'application/vnd.dev.sigstore.trustedroot.v0.2+json',
]);

// A trusted root is a few kilobytes; a megabyte bounds a hostile one.
const ROOT_LIMITS: JsonLimits = { maxBytes: 1024 * 1024, maxDepth: 16 };

/** One validity window of trust material, end inclusive (trustroot.proto TimeRange). */
export interface Validity {
  readonly start: Date;
  readonly end: Date | undefined;
}

/** One log, CA or TSA of a root, as `vouch trust show` lists it. */
export interface RootMember {
  readonly kind: 'tlog' | 'ctlog' | 'ca' | 'tsa';
  readonly url: string;
  readonly validity: Validity;
}

/** A validated Sigstore trusted root, ready for @sigstore/verify. */
export interface TrustRoot {
  /** Where it came from, for messages (a file path, or the shipped public-good root). */
  readonly source: string;
  /** `sha256:<hex>` of its exact bytes: part of the policy's resolved trust material. */
  readonly digest: string;
  readonly members: readonly RootMember[];
  readonly material: TrustMaterial;
  /** True when it lists certificate transparency logs: Fulcio certificates then need an SCT. */
  readonly hasCtLogs: boolean;
}

/**
 * Parses and validates a trusted root (protobuf-specs TrustedRoot, proto3 JSON). Fail closed:
 * every log key and every CA must state the start of its validity (a missing start is not
 * "valid since forever", sigstore-conformance trust-root-tlog-missing-validity-start_fail).
 */
export function parseTrustedRoot(bytes: string | Uint8Array, source: string): TrustRoot {
  const digest = `sha256:${hash('sha256', bytes, 'hex')}`;
  let json: unknown;
  try {
    json = parseStrictJson(bytes, ROOT_LIMITS);
  } catch (err) {
    throw invalid(source, asVouchError(err).describe());
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw invalid(source, 'not a JSON object');
  }
  const mediaType = (json as { mediaType?: unknown }).mediaType;
  if (typeof mediaType !== 'string' || !MEDIA_TYPES.has(mediaType)) {
    throw invalid(source, `mediaType ${JSON.stringify(mediaType)} is not a Sigstore trusted root`);
  }
  let root: TrustedRoot;
  try {
    root = TrustedRoot.fromJSON(json);
  } catch (err) {
    throw invalid(source, asVouchError(err).message);
  }
  const members = [
    ...root.tlogs.map((t, i) => logMember('tlog', t, `tlogs[${i}]`, source)),
    ...root.ctlogs.map((t, i) => logMember('ctlog', t, `ctlogs[${i}]`, source)),
    ...root.certificateAuthorities.map((c, i) =>
      caMember('ca', c, `certificateAuthorities[${i}]`, source),
    ),
    ...root.timestampAuthorities.map((c, i) =>
      caMember('tsa', c, `timestampAuthorities[${i}]`, source),
    ),
  ];
  let material: TrustMaterial;
  try {
    material = toTrustMaterial(root);
  } catch (err) {
    throw invalid(source, `a key or certificate does not parse: ${asVouchError(err).message}`);
  }
  return { source, digest, members, material, hasCtLogs: root.ctlogs.length > 0 };
}

type LogInstance = TrustedRoot['tlogs'][number];
type CertAuthority = TrustedRoot['certificateAuthorities'][number];

function logMember(
  kind: 'tlog' | 'ctlog',
  log: LogInstance,
  at: string,
  source: string,
): RootMember {
  const key = log.publicKey;
  if (key?.rawBytes === undefined || key.rawBytes.length === 0) {
    throw invalid(source, `${at}.publicKey.rawBytes is missing`);
  }
  if ((log.logId?.keyId.length ?? 0) === 0) throw invalid(source, `${at}.logId.keyId is missing`);
  return { kind, url: log.baseUrl, validity: validity(key.validFor, `${at}.publicKey`, source) };
}

function caMember(kind: 'ca' | 'tsa', ca: CertAuthority, at: string, source: string): RootMember {
  if ((ca.certChain?.certificates.length ?? 0) === 0) {
    throw invalid(source, `${at}.certChain has no certificates`);
  }
  return { kind, url: ca.uri, validity: validity(ca.validFor, at, source) };
}

function validity(
  range: { start?: Date | undefined; end?: Date | undefined } | undefined,
  at: string,
  source: string,
): Validity {
  const start = range?.start;
  if (start === undefined || Number.isNaN(start.getTime())) {
    throw invalid(source, `${at}.validFor.start is missing: a validity window must have a start`);
  }
  const end = range?.end;
  if (end !== undefined && (Number.isNaN(end.getTime()) || end < start)) {
    throw invalid(source, `${at}.validFor.end is not a time after its start`);
  }
  return { start, end };
}

function invalid(source: string, why: string): VouchError {
  return new VouchError('TRUST_ROOT_INVALID', `trusted root ${source}: ${why}`, {
    path: source,
    hint: 'give a Sigstore trusted_root.json (vouch trust update writes one)',
  });
}
