// Go-style durations as in Kubernetes and cosign policies: `168h`, `5m`, `30s`, `1h30m`.
const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1_000 } as const;
/** Longer than any sensible maxAge or clock skew, and far from float precision limits. */
const MAX_DURATION_MS = 100 * 366 * 24 * UNIT_MS.h;

/** Milliseconds for `168h`, `5m`, `30s`, `1h30m`; undefined for anything else (no sign, no fractions). */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text);
  if (m === null || text === '') return undefined;
  const [, h = '0', min = '0', s = '0'] = m;
  const ms = Number(h) * UNIT_MS.h + Number(min) * UNIT_MS.m + Number(s) * UNIT_MS.s;
  return ms <= MAX_DURATION_MS ? ms : undefined;
}

/** `168h`, `1h30m`, `45s`, `0s`: the shortest exact form. */
export function formatDuration(ms: number): string {
  const totalSeconds = Math.floor(ms / 1000);
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  const text = `${h > 0 ? `${h}h` : ''}${m > 0 ? `${m}m` : ''}${s > 0 ? `${s}s` : ''}`;
  return text === '' ? '0s' : text;
}
