import { describe, expect, it } from 'vitest';
import { publicGoodRoot } from '../../src/trust/public-good.js';
import { parseTrustedRoot } from '../../src/trust/trusted-root.js';
import { vectorText } from '../support/paths.js';

const production = vectorText('sigstore-trust-roots', 'production', 'trusted_root.json');
type Json = Record<string, unknown>;
const edited = (change: (root: Json) => void): string => {
  const root = JSON.parse(production) as Json;
  change(root);
  return JSON.stringify(root);
};
const codeOf = (text: string): string => {
  try {
    parseTrustedRoot(text, 'test root');
  } catch (err) {
    return (err as { code?: string }).code ?? 'no code';
  }
  return 'accepted';
};

describe('trusted roots', () => {
  it('ships the public-good snapshot byte for byte', () => {
    const shipped = publicGoodRoot();
    expect(shipped.digest).toBe(parseTrustedRoot(production, 'x').digest);
    expect(shipped.members.map((m) => `${m.kind} ${m.url}`)).toEqual([
      'tlog https://rekor.sigstore.dev',
      'tlog https://log2025-1.rekor.sigstore.dev',
      'ctlog https://ctfe.sigstore.dev/test',
      'ctlog https://ctfe.sigstore.dev/2022',
      'ca https://fulcio.sigstore.dev',
      'ca https://fulcio.sigstore.dev',
      'tsa https://timestamp.sigstore.dev/api/v1/timestamp',
    ]);
    expect(shipped.hasCtLogs).toBe(true);
    // Validity windows are read as given, the end inclusive and absent when open.
    expect(shipped.members[4]?.validity.end?.toISOString()).toBe('2022-12-31T23:59:59.999Z');
    expect(shipped.members[5]?.validity.end).toBeUndefined();
  });

  describe('when a root is incomplete it is refused, never read as unbounded', () => {
    it.each([
      [
        'a log key without validity start',
        (r: Json) => {
          const [tlog] = r.tlogs as { publicKey: { validFor: Json } }[];
          if (tlog) delete tlog.publicKey.validFor.start;
        },
      ],
      [
        'a CA without validity',
        (r: Json) => {
          const [ca] = r.certificateAuthorities as Json[];
          if (ca) delete ca.validFor;
        },
      ],
      [
        'a CA without certificates',
        (r: Json) => {
          const [ca] = r.certificateAuthorities as { certChain: { certificates: unknown[] } }[];
          if (ca) ca.certChain.certificates = [];
        },
      ],
      [
        'a log without a key',
        (r: Json) => {
          const [, log] = r.ctlogs as Json[];
          if (log) delete log.publicKey;
        },
      ],
      [
        'an unknown media type',
        (r: Json) => {
          r.mediaType = 'application/json';
        },
      ],
      [
        'a validity that ends before it starts',
        (r: Json) => {
          const [tlog] = r.tlogs as { publicKey: { validFor: Json } }[];
          if (tlog) tlog.publicKey.validFor.end = '2020-01-01T00:00:00Z';
        },
      ],
    ])('%s', (_what, change) => {
      expect(codeOf(edited(change))).toBe('TRUST_ROOT_INVALID');
    });

    it.each([
      ['not JSON', '{'],
      ['a duplicate key', '{"mediaType": "a", "mediaType": "b"}'],
      ['an array', '[]'],
      ['too deep', `${'['.repeat(100)}${']'.repeat(100)}`],
    ])('%s', (_what, text) => {
      expect(codeOf(text)).toBe('TRUST_ROOT_INVALID');
    });
  });
});
