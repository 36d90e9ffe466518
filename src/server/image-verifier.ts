import type { ErrorCode } from '../errors.js';
import type { CompiledPolicy } from '../policy/compile.js';
import type { Decision } from '../policy/decision.js';
import type { Platforms } from './config.js';
import type { ImageReference } from './image-reference.js';

export interface VerifyImageRequest {
  readonly image: ImageReference;
  readonly policy: CompiledPolicy;
  /** Evaluated over the same attestations when `policy` denies and the image policy allows breakglass. */
  readonly breakglass: CompiledPolicy | undefined;
  readonly platforms: Platforms;
  /** Aborted at the admission deadline: stop fetching. */
  readonly signal: AbortSignal;
  /** The evaluation time: every time check uses it. */
  readonly now: Date;
}

/** A breakglass attestation that counted (DESIGN.md section 11). */
export interface BreakglassGrant {
  readonly attestation: string;
  readonly signer: string;
  readonly reason: string;
  readonly notAfter: string;
}

export type ImageVerdict =
  | {
      readonly kind: 'evaluated';
      /** The digest the decision is about (what mutate pins). */
      readonly digest: string;
      readonly decision: Decision;
      readonly breakglass: BreakglassGrant | undefined;
    }
  /** No decision could be made (unresolvable tag, registry failure): a deny in enforce mode. */
  | { readonly kind: 'failed'; readonly code: ErrorCode; readonly message: string };

/**
 * The one service the webhook calls per image: resolve, discover, verify, evaluate. The server
 * does not know where attestations come from; swapping the source is swapping this object.
 */
export interface ImageVerifier {
  verifyImage(request: VerifyImageRequest): Promise<ImageVerdict>;
}
