// Edwards25519 (RFC 8032 5.1): -x^2 + y^2 = 1 + d x^2 y^2 over GF(p), p = 2^255 - 19.
const P = 2n ** 255n - 19n;
const D = mod(-121665n * inverse(121666n));
const SQRT_M1 = power(2n, (P - 1n) / 4n);

/** Why a 32-byte Ed25519 public key cannot be trusted, or undefined when it is sound. */
export function ed25519Weakness(encoded: Uint8Array): string | undefined {
  if (encoded.byteLength !== 32) return `is ${encoded.byteLength} bytes, not 32`;
  const sign = (encoded[31] ?? 0) >> 7;
  let y = 0n;
  for (let i = 31; i >= 0; i--)
    y = (y << 8n) | BigInt((encoded[i] ?? 0) & (i === 31 ? 0x7f : 0xff));
  // RFC 8032 5.1.3 step 1: y >= p is not a canonical encoding (a second keyid for one point).
  if (y >= P) return 'is not a canonical encoding (y >= p)';
  const x = recoverX(y);
  if (x === undefined) return 'is not a point on the curve';
  // RFC 8032 5.1.3 step 4: x = 0 with the sign bit set is a non-canonical encoding.
  if (x === 0n && sign === 1) return 'is not a canonical encoding (x = 0 with the sign bit set)';
  // The curve has order 8 * L: a point of small order satisfies [8]P = identity. Such a key
  // verifies forged signatures (e.g. R = identity, S = 0 for every message).
  let point: Point = { x, y };
  for (let i = 0; i < 3; i++) point = add(point, point);
  if (point.x === 0n && point.y === 1n) return 'is a point of small order';
  return undefined;
}

interface Point {
  readonly x: bigint;
  readonly y: bigint;
}

/** RFC 8032 5.1.3 steps 2-3: x from y (either root: the sign bit does not change the order). */
function recoverX(y: bigint): bigint | undefined {
  const u = mod(y * y - 1n);
  const v = mod(D * y * y + 1n);
  let x = mod(u * power(v, 3n) * power(u * power(v, 7n), (P - 5n) / 8n));
  const vx2 = mod(v * x * x);
  if (vx2 === mod(-u)) x = mod(x * SQRT_M1);
  else if (vx2 !== u) return undefined;
  return x;
}

/** Affine twisted Edwards addition (complete for Edwards25519: denominators never vanish). */
function add(a: Point, b: Point): Point {
  const t = mod(D * a.x * b.x * a.y * b.y);
  return {
    x: mod((a.x * b.y + a.y * b.x) * inverse(1n + t)),
    y: mod((a.y * b.y + a.x * b.x) * inverse(1n - t)),
  };
}

function mod(n: bigint): bigint {
  const r = n % P;
  return r < 0n ? r + P : r;
}

function inverse(n: bigint): bigint {
  return power(mod(n), P - 2n);
}

function power(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = mod(base);
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
  }
  return result;
}
