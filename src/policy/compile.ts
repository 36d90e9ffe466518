import { loadPublicKey, type PublicKey } from '../crypto/keys.js';
import { asVouchError, VouchError } from '../errors.js';
import { defaultTimestampPath, parseTimestampPath } from '../predicates/timestamps.js';
import { type AllowExpr, AllowSyntaxError, allRequirements, parseAllow } from './allow.js';
import {
  type AuthorityTrust,
  compileAuthorityTrust,
  type ReadTrustedRoot,
} from './compile-trust.js';
import { type Condition, ConditionCompileError, compileCondition } from './condition.js';
import {
  type ConfigIssue,
  type ConfigSource,
  configError,
  type FieldPath,
  parseConfigText,
  validateConfig,
} from './config-text.js';
import { parseDuration } from './duration.js';
import { policyDigest } from './policy-digest.js';
import {
  type KeySourceDocument,
  type PolicyDocument,
  policySchema,
  type RequirementDocument,
} from './schema.js';

export interface CompiledAuthority extends AuthorityTrust {
  readonly name: string;
  /** Distinct keys (a key listed twice is one key). */
  readonly keys: readonly PublicKey[];
  /** How many keys the file lists, duplicates included. */
  readonly listed: number;
}

export interface CompiledRequirement {
  readonly name: string;
  readonly predicateType: string;
  readonly signers: readonly string[];
  /** Distinct keys that must count (DESIGN.md section 6). */
  readonly threshold: number;
  readonly maxAge: number | undefined;
  /** Predicate field holding the attestation time: `timestampPath` or the type's default. */
  readonly timestampPath: string | undefined;
  readonly timestampSegments: readonly string[] | undefined;
  readonly timestampPathExplicit: boolean;
  readonly condition: Condition | undefined;
  /**
   * keyid → authority name for the keys of `signers` whose signature alone counts (the first
   * authority listed wins).
   */
  readonly trusted: ReadonlyMap<string, string>;
  /** Names of `signers` that need verified log evidence: keyless or `transparencyLog: required`. */
  readonly logged: ReadonlySet<string>;
  /** Where maxAge counts from: the predicate's time, or the verified log/TSA time. */
  readonly timeSource: 'predicate' | 'log';
}

/** A validated policy: a pure value the evaluator needs nothing else for. */
export interface CompiledPolicy {
  readonly name: string;
  /** Where the policy came from, for messages. */
  readonly source: string;
  /** Milliseconds an attestation time may lie ahead of the evaluation time. */
  readonly clockSkew: number;
  readonly authorities: readonly CompiledAuthority[];
  readonly requirements: readonly CompiledRequirement[];
  readonly allow: AllowExpr;
  /** Every distinct key of every authority, in keyid order: each document is verified once. */
  readonly keys: readonly PublicKey[];
  /** Names the file and the trust material it resolved to (policy-digest.ts). */
  readonly digest: { readonly sha256: string };
}

export interface CompileOptions {
  /** Returns the PEM text of a key file named in the policy (resolved by the caller). */
  readKeyFile(path: string): string;
  /** Returns a trusted root file named in the policy (resolved by the caller). */
  readTrustedRoot?: ReadTrustedRoot;
}

const DEFAULT_CLOCK_SKEW = '5m';

/**
 * Parses, validates and compiles a policy (DESIGN.md section 5). Every problem is collected
 * and reported in one POLICY_INVALID error naming file, line, field and fix; a policy that
 * compiles can never be an allow-all (it has at least one requirement, each naming keys).
 */
export function compilePolicy(source: ConfigSource, options: CompileOptions): CompiledPolicy {
  const parsed = parseConfigText(source, 'POLICY_INVALID');
  const doc = validateConfig(source, parsed, policySchema, 'POLICY_INVALID');
  const issues: ConfigIssue[] = [];
  const policy = compileDocument(doc, options, issues);
  if (issues.length > 0 || policy === undefined) {
    throw configError(source, parsed.locate, 'POLICY_INVALID', issues);
  }
  return {
    ...policy,
    source: source.name,
    digest: policyDigest(source.text, policy.authorities),
  };
}

function compileDocument(
  doc: PolicyDocument,
  options: CompileOptions,
  issues: ConfigIssue[],
): Omit<CompiledPolicy, 'source' | 'digest'> | undefined {
  const { spec } = doc;
  const clockSkew = parseDuration(spec.clockSkew ?? DEFAULT_CLOCK_SKEW) ?? 0;

  // Authorities with a key that failed to load: their thresholds are not judged again.
  const broken = new Set<string>();
  const authorities: CompiledAuthority[] = Object.entries(spec.authorities).map(
    ([name, authority]) => {
      const before = issues.length;
      const at = ['spec', 'authorities', name];
      const listed = authority.keys ?? [];
      const keys = listed.flatMap((k, i) => loadKey(k, options, [...at, 'keys', i], issues));
      const trust = compileAuthorityTrust(authority, at, options.readTrustedRoot, issues);
      if (issues.length > before) broken.add(name);
      return { name, keys: distinctKeys(keys), listed: listed.length, ...trust };
    },
  );
  const byName = new Map(authorities.map((a) => [a.name, a]));

  const seen = new Set<string>();
  const requirements: CompiledRequirement[] = [];
  spec.requirements.forEach((r, i) => {
    const at: FieldPath = ['spec', 'requirements', i];
    if (seen.has(r.name)) {
      issues.push({ path: [...at, 'name'], message: `requirement name "${r.name}" is used twice` });
    }
    seen.add(r.name);
    const compiled = compileRequirement(r, at, byName, broken, issues);
    if (compiled !== undefined) requirements.push(compiled);
  });

  let allow: AllowExpr | undefined;
  if (spec.allow === undefined) {
    allow = allRequirements(spec.requirements.map((r) => r.name));
  } else {
    try {
      allow = parseAllow(spec.allow, seen);
    } catch (err) {
      if (!(err instanceof AllowSyntaxError)) throw err;
      issues.push({ path: ['spec', 'allow'], message: `column ${err.column}: ${err.message}` });
    }
  }
  if (issues.length > 0 || allow === undefined) return undefined;
  return {
    name: doc.metadata.name,
    clockSkew,
    authorities,
    requirements,
    allow,
    keys: distinctKeys(authorities.flatMap((a) => a.keys)),
  };
}

function compileRequirement(
  r: RequirementDocument,
  at: FieldPath,
  authorities: ReadonlyMap<string, CompiledAuthority>,
  broken: ReadonlySet<string>,
  issues: ConfigIssue[],
): CompiledRequirement | undefined {
  const before = issues.length;
  const trusted = new Map<string, string>();
  const logged = new Set<string>();
  r.signers.forEach((signer, j) => {
    const authority = authorities.get(signer);
    if (authority === undefined) {
      issues.push({
        path: [...at, 'signers', j],
        message: `unknown authority "${signer}" (known: ${[...authorities.keys()].join(', ')})`,
      });
      return;
    }
    if (authority.trustedRoot !== undefined) {
      logged.add(signer);
      return;
    }
    for (const key of authority.keys) if (!trusted.has(key.keyid)) trusted.set(key.keyid, signer);
  });
  const threshold = r.threshold ?? 1;
  const judgeable = issues.length === before && !r.signers.some((a) => broken.has(a));
  // Keyless identities and logged keys have no count known here: only plain keys are judged.
  if (judgeable && logged.size === 0 && threshold > trusted.size) {
    issues.push({
      path: [...at, 'threshold'],
      message: `threshold ${threshold} can never be met: ${r.signers.join(', ')} hold ${trusted.size} distinct key(s)`,
    });
  }
  const maxAge = r.maxAge === undefined ? undefined : parseDuration(r.maxAge);
  if (maxAge === 0) {
    issues.push({ path: [...at, 'maxAge'], message: 'maxAge must be longer than 0s' });
  }
  const timestampPath = r.timestampPath ?? defaultTimestampPath(r.predicateType);
  const timestampSegments =
    timestampPath === undefined ? undefined : parseTimestampPath(timestampPath);
  if (timestampPath !== undefined && timestampSegments === undefined) {
    issues.push({
      path: [...at, 'timestampPath'],
      message: `"${timestampPath}" is not a dotted field path such as metadata.finishedOn`,
    });
  }
  const timeSource = r.timeSource ?? 'predicate';
  if (timeSource === 'log' && logged.size === 0 && issues.length === before) {
    issues.push({
      path: [...at, 'timeSource'],
      message: `timeSource log needs log evidence: name a keyless authority or one with transparencyLog: required in signers`,
    });
  }
  if (maxAge !== undefined && timestampPath === undefined && timeSource === 'predicate') {
    issues.push({
      path: [...at, 'maxAge'],
      message: `maxAge needs the attestation time, and ${r.predicateType} has no standard time field: set timestampPath to the predicate field that holds it`,
    });
  }
  let condition: Condition | undefined;
  if (r.condition !== undefined) {
    try {
      condition = compileCondition(r.condition);
    } catch (err) {
      if (!(err instanceof ConditionCompileError)) throw err;
      issues.push({ path: [...at, 'condition'], message: `condition ${err.message}` });
    }
  }
  if (issues.length > before) return undefined;
  return {
    name: r.name,
    predicateType: r.predicateType,
    signers: r.signers,
    threshold,
    maxAge,
    timestampPath,
    timestampSegments,
    timestampPathExplicit: r.timestampPath !== undefined,
    condition,
    trusted,
    logged,
    timeSource,
  };
}

function loadKey(
  source: KeySourceDocument,
  options: CompileOptions,
  at: FieldPath,
  issues: ConfigIssue[],
): PublicKey[] {
  const field = source.file === undefined ? 'pem' : 'file';
  try {
    if (source.file !== undefined) {
      return [
        loadPublicKey(onePemBlock(options.readKeyFile(source.file), source.file), source.file),
      ];
    }
    return [loadPublicKey(onePemBlock(source.pem ?? '', 'inline pem key'), 'inline pem key')];
  } catch (err) {
    const e = asVouchError(err);
    issues.push({
      path: [...at, field],
      message: `${e.code}: ${e.message}${e.hint === undefined ? '' : ` (${e.hint})`}`,
    });
    return [];
  }
}

/**
 * A key source holds one public key: the parser would silently read the first of several
 * blocks, and would take the key out of a certificate without checking the certificate.
 */
function onePemBlock(text: string, source: string): string {
  const labels = [...text.matchAll(/-----BEGIN ([A-Z0-9 ]*)-----/g)].map((m) => m[1]);
  if (labels.length > 1) {
    throw new VouchError(
      'KEY_UNREADABLE',
      `${source} holds ${labels.length} PEM blocks, not one key`,
      { hint: 'give each key its own entry under keys, one PEM block each' },
    );
  }
  if (labels[0] === 'CERTIFICATE') {
    throw new VouchError('KEY_UNREADABLE', `${source} is a certificate, not a public key`, {
      hint: 'a certificate is not checked here: give its public key (openssl x509 -pubkey -noout)',
    });
  }
  return text;
}

function distinctKeys(keys: readonly PublicKey[]): PublicKey[] {
  const byId = new Map(keys.map((k) => [k.keyid, k]));
  return [...byId.values()].sort((a, b) => (a.keyid < b.keyid ? -1 : a.keyid > b.keyid ? 1 : 0));
}
