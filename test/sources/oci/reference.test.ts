import { describe, expect, it } from 'vitest';
import { parseChallenges } from '../../../src/sources/oci/challenge.js';
import { cosignAttestationTag, referrersTag } from '../../../src/sources/oci/digest.js';
import {
  apiHost,
  formatReference,
  isLoopback,
  parseReference,
} from '../../../src/sources/oci/reference.js';
import { parseRetryAfter } from '../../../src/sources/oci/transport.js';

const HEX = 'a'.repeat(64);

describe('when parsing image references (distribution reference grammar)', () => {
  it.each([
    [
      'oci://127.0.0.1:5000/acme/app:v1',
      { registry: '127.0.0.1:5000', repository: 'acme/app', tag: 'v1' },
    ],
    [
      `oci://ghcr.io/acme/app@sha256:${HEX}`,
      { registry: 'ghcr.io', repository: 'acme/app', digest: `sha256:${HEX}` },
    ],
    [
      `ghcr.io/acme/app:v1@sha256:${HEX}`,
      { registry: 'ghcr.io', repository: 'acme/app', tag: 'v1', digest: `sha256:${HEX}` },
    ],
    ['alpine', { registry: 'docker.io', repository: 'library/alpine', tag: 'latest' }],
    ['oci://alpine:3.20', { registry: 'docker.io', repository: 'library/alpine', tag: '3.20' }],
    ['acme/app', { registry: 'docker.io', repository: 'acme/app', tag: 'latest' }],
    [
      'index.docker.io/library/alpine:3',
      { registry: 'docker.io', repository: 'library/alpine', tag: '3' },
    ],
    ['localhost/a/b__c.d-e:x', { registry: 'localhost', repository: 'a/b__c.d-e', tag: 'x' }],
    ['[::1]:5000/app:v1', { registry: '[::1]:5000', repository: 'app', tag: 'v1' }],
  ])('%s', (text, expected) => {
    expect(parseReference(text)).toEqual(expected);
  });

  it.each([
    'oci://ghcr.io/Acme/app:v1',
    'oci://ghcr.io/acme/app:-v1',
    `oci://ghcr.io/acme/app@sha256:${'A'.repeat(64)}`,
    'oci://ghcr.io/acme/app@sha256:abc',
    `oci://ghcr.io/acme/app@md5:${'a'.repeat(32)}`,
    'oci://ghcr.io/acme//app',
    'oci://ghcr.io/acme/app_:v1',
    'oci://ghcr.io/',
    `oci://ghcr.io/${'a'.repeat(250)}`,
  ])('refuses %s as USAGE naming the reference', (text) => {
    expect(() => parseReference(text)).toThrowWithCode('USAGE', 'reference');
  });

  it('formats what it parses, and maps Docker Hub to its API host', () => {
    expect(formatReference(parseReference('oci://127.0.0.1:5000/a/b:v1'))).toBe(
      'oci://127.0.0.1:5000/a/b:v1',
    );
    expect(apiHost('docker.io')).toBe('registry-1.docker.io');
    expect(apiHost('ghcr.io')).toBe('ghcr.io');
  });

  it('treats only loopback hosts as loopback', () => {
    expect(['127.0.0.1:5000', 'localhost', '[::1]:80', '127.1.2.3'].map(isLoopback)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(
      ['127.0.0.1.example.com', 'localhost.evil', '10.0.0.1', '[::2]'].map(isLoopback),
    ).toEqual([false, false, false, false]);
  });

  it('names the referrers and cosign tags after the digest', () => {
    expect(referrersTag(`sha256:${HEX}`)).toBe(`sha256-${HEX}`);
    expect(referrersTag(`sha512:${'b'.repeat(128)}`)).toBe(`sha512-${'b'.repeat(64)}`);
    expect(cosignAttestationTag(`sha256:${HEX}`)).toBe(`sha256-${HEX}.att`);
  });
});

describe('when parsing WWW-Authenticate and Retry-After', () => {
  it('reads Bearer params, quoted and escaped, and several challenges', () => {
    const [bearer, basic] = parseChallenges(
      'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push", Basic realm="x\\"y"',
    );
    expect(bearer?.scheme).toBe('bearer');
    expect(Object.fromEntries(bearer?.params ?? [])).toEqual({
      realm: 'https://auth.example/token',
      service: 'registry.example',
      scope: 'repository:a/b:pull,push',
    });
    expect(basic?.scheme).toBe('basic');
    expect(basic?.params.get('realm')).toBe('x"y');
  });

  it('gives nothing for absent, oversized or broken headers', () => {
    expect(parseChallenges(undefined)).toEqual([]);
    expect(parseChallenges(`Bearer realm="${'x'.repeat(9000)}"`)).toEqual([]);
    expect(parseChallenges('Bearer realm="unterminated')[0]?.params.size).toBe(0);
  });

  it('reads delay-seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    const inTwoSeconds = new Date(Date.now() + 2000).toUTCString();
    expect(parseRetryAfter(inTwoSeconds)).toBeGreaterThan(0);
    expect(parseRetryAfter(inTwoSeconds)).toBeLessThanOrEqual(2000);
  });
});
