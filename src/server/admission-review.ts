import * as z from 'zod';
import { narrow } from '../encoding/shape.js';

/** The AdmissionReview v1 request as the apiserver sends it; unknown fields are ignored. */
const groupVersionKind = z.object({ group: z.string(), version: z.string(), kind: z.string() });
const requestSchema = z.object({
  uid: z.string().min(1).max(128),
  kind: groupVersionKind,
  resource: z.object({ group: z.string(), version: z.string(), resource: z.string() }),
  subResource: z.string().max(64).optional(),
  name: z.string().max(253).optional(),
  namespace: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/)
    .optional(),
  operation: z.enum(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']),
  object: z.unknown().optional(),
  dryRun: z.boolean().optional(),
});
const reviewSchema = z.object({
  apiVersion: z.literal('admission.k8s.io/v1'),
  kind: z.literal('AdmissionReview'),
  request: requestSchema,
});

export type AdmissionRequest = z.infer<typeof requestSchema>;

/** Narrows a parsed body to an AdmissionReview v1 request, or throws ADMISSION_INVALID. */
export function parseAdmissionReview(body: unknown): AdmissionRequest {
  return narrow(reviewSchema, body, 'ADMISSION_INVALID', 'not an AdmissionReview v1 request', {
    hint: 'the webhook accepts AdmissionReview admission.k8s.io/v1 with request.uid',
  }).request;
}

export interface AdmissionResponse {
  readonly uid: string;
  readonly allowed: boolean;
  readonly status?: { readonly code: number; readonly reason: string; readonly message: string };
  readonly warnings?: readonly string[];
  readonly auditAnnotations?: Readonly<Record<string, string>>;
  readonly patchType?: 'JSONPatch';
  /** base64 of the JSONPatch document. */
  readonly patch?: string;
}

export function admissionReview(response: AdmissionResponse): object {
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response };
}
