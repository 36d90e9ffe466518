import * as z from 'zod';
import { FULCIO_EXTENSION_NAMES } from '../trust/fulcio-extensions.js';
import { parseDuration } from './duration.js';

/** Authority and requirement names: also the words of the `allow` expression. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const NAME_HINT = 'letters, digits, "_", "." and "-", starting with a letter or digit';

const name = z.string().regex(NAME_PATTERN, `must be a name: ${NAME_HINT}`);

const duration = z
  .string()
  .refine(
    (s) => parseDuration(s) !== undefined,
    'must be a duration such as 168h, 5m, 30s or 1h30m',
  );

const keySource = z
  .strictObject({
    file: z.string().min(1).optional(),
    pem: z.string().min(1).optional(),
  })
  .refine((k) => (k.file === undefined) !== (k.pem === undefined), {
    message: 'give exactly one of file (a path relative to the policy file) or pem',
  });

// A Sigstore trusted root file; absent: the public-good root shipped with Vouch.
const trustedRoot = z.strictObject({ file: z.string().min(1) });

const identity = z
  .strictObject({
    issuer: z.string().min(1),
    subject: z.string().min(1).optional(),
    subjectRegExp: z.string().min(1).optional(),
    extensions: z
      .strictObject(
        Object.fromEntries(FULCIO_EXTENSION_NAMES.map((n) => [n, z.string().min(1).optional()])),
      )
      .optional(),
  })
  .refine((i) => (i.subject === undefined) !== (i.subjectRegExp === undefined), {
    message: 'give exactly one of subject (the exact SAN) or subjectRegExp',
  });

// One object rather than a union, so that a wrong field is reported at its own path.
const authority = z
  .strictObject({
    keys: z.array(keySource).min(1).optional(),
    // Demands a verified transparency-log entry (or TSA time) in the bundle, as for keyless.
    transparencyLog: z.literal('required').optional(),
    trustedRoot: trustedRoot.optional(),
    keyless: z
      .strictObject({ trustedRoot: trustedRoot.optional(), identities: z.array(identity).min(1) })
      .optional(),
  })
  .refine((a) => (a.keys === undefined) !== (a.keyless === undefined), {
    message: 'give exactly one of keys or keyless',
  })
  .refine((a) => a.keyless === undefined || (a.transparencyLog ?? a.trustedRoot) === undefined, {
    message: 'a keyless authority always needs log evidence; put its trustedRoot inside keyless',
  });

const requirement = z.strictObject({
  name,
  predicateType: z.string().min(1),
  signers: z.array(name).min(1),
  threshold: z.number().int().min(1).max(1000).optional(),
  maxAge: duration.optional(),
  timestampPath: z.string().min(1).optional(),
  // log: maxAge counts from the verified log or TSA time, not the predicate's claim.
  timeSource: z.enum(['predicate', 'log']).optional(),
  condition: z.string().min(1).optional(),
});

/** The policy file (DESIGN.md section 5). Unknown fields anywhere are errors. */
export const policySchema = z.strictObject({
  apiVersion: z.literal('vouch/v1'),
  kind: z.literal('Policy'),
  metadata: z.strictObject({ name: z.string().min(1).max(256) }),
  spec: z.strictObject({
    clockSkew: duration.optional(),
    authorities: z
      .record(name, authority)
      .refine((a) => Object.keys(a).length > 0, 'needs at least one authority'),
    requirements: z.array(requirement).min(1),
    allow: z.string().min(1).optional(),
  }),
});

export type PolicyDocument = z.infer<typeof policySchema>;
export type RequirementDocument = PolicyDocument['spec']['requirements'][number];
export type KeySourceDocument = z.infer<typeof keySource>;
export type AuthorityDocument = z.infer<typeof authority>;
export type IdentityDocument = z.infer<typeof identity>;
