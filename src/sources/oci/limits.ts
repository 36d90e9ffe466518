/** Bounds on what a registry may make Vouch read (every one is checked before use). */
export interface RegistryLimits {
  /** Bytes of one manifest or index; the distribution spec has registries accept 4 MiB. */
  readonly maxManifestBytes: number;
  /** Bytes of one attestation blob (the envelope limit). */
  readonly maxBlobBytes: number;
  /** Pages of one referrers listing (`Link: rel="next"`). */
  readonly maxReferrersPages: number;
  /** Artifact manifests considered per subject digest, over every discovery path. */
  readonly maxArtifacts: number;
  /** Signed documents returned per subject digest. */
  readonly maxDocuments: number;
}

export const DEFAULT_REGISTRY_LIMITS: RegistryLimits = {
  maxManifestBytes: 4 * 1024 * 1024,
  maxBlobBytes: 16 * 1024 * 1024,
  maxReferrersPages: 8,
  maxArtifacts: 256,
  maxDocuments: 256,
};

/** Time bounds: each request, and the whole operation (discovery, a push). */
export interface RegistryTimeouts {
  readonly requestTimeoutMs: number;
  readonly deadlineMs: number;
}

export const DEFAULT_REGISTRY_TIMEOUTS: RegistryTimeouts = {
  requestTimeoutMs: 10_000,
  deadlineMs: 30_000,
};
