/** Signature schemes Vouch verifies, derived from the key itself (never from the envelope). */
export type SignatureScheme =
  | 'ecdsa-p256-sha256'
  | 'ecdsa-p384-sha384'
  | 'ecdsa-p521-sha512'
  | 'ed25519'
  | 'rsa-sha256';
