import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { documentSigners, parseSignedDocument } from '../../src/attestation/attestation.js';
import { envelopeToJson, signEnvelope } from '../../src/attestation/dsse.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../../src/attestation/envelope.js';
import { buildStatement, parseStatement } from '../../src/attestation/statement.js';
import { KEYGEN_ALGORITHMS, type KeygenAlgorithm, loadPublicKey } from '../../src/crypto/keys.js';
import { runCli, tempDir } from '../support/cli.js';
import { attestWithCli, type DsseJson, TAMPERINGS } from '../support/dsse-json.js';
import {
  peerKeyPem,
  peerSign,
  peerVerify,
  type SslibKey,
  securesystemslibVersion,
  toSslibKey,
} from '../support/securesystemslib.js';
import { makeKey } from '../support/signing.js';

const SLSA_V1 = 'https://slsa.dev/provenance/v1';
const DIGEST = 'a'.repeat(64);

describe('interop with python3-securesystemslib', () => {
  // Without the Debian package every test below fails with a message naming it (never skips).
  it('runs against the Debian package (.ci/run installs python3-securesystemslib)', () => {
    expect(securesystemslibVersion()).toMatch(/^\d+\.\d+/);
  });

  describe('when Vouch signs an envelope', () => {
    describe.each(KEYGEN_ALGORITHMS)('with a %s key from vouch keygen', (alg: KeygenAlgorithm) => {
      let envelope: DsseJson;
      let key: SslibKey;

      beforeAll(async () => {
        const signed = await attestWithCli(alg, 'dsse', DIGEST);
        envelope = JSON.parse(signed.text) as DsseJson;
        key = toSslibKey(loadPublicKey(signed.publicPem));
      });

      it('verifies in securesystemslib over PAE', () => {
        const verdict = peerVerify(envelope, key);
        expect(verdict.errors).toEqual([]);
        expect(verdict.status).toBe(0);
        expect(verdict.verified).toEqual([envelope.signatures[0]?.keyid]);
      });

      it.each(TAMPERINGS)(
        'is rejected by securesystemslib when the %s is tampered',
        (_, tamper) => {
          const verdict = peerVerify(tamper(envelope), key);
          expect(verdict.status).toBe(1);
          expect(verdict.verified).toEqual([]);
        },
      );
    });

    it('signs RSA with PKCS#1 v1.5, which securesystemslib rejects under rsassa-pss-sha256', () => {
      // The scheme is agreed out of band (DSSE protocol.md); this shows the peer tells them apart.
      const signer = makeKey('rsa-3072').key;
      const envelope = envelopeToJson(
        signEnvelope(IN_TOTO_PAYLOAD_TYPE, Buffer.from('{}'), [signer]),
      ) as unknown as DsseJson;
      const publicKey = signer.publicKey;
      expect(peerVerify(envelope, toSslibKey(publicKey)).status).toBe(0);
      expect(peerVerify(envelope, toSslibKey(publicKey, 'rsassa-pss-sha256')).status).toBe(1);
    });

    it('makes a two-signature envelope in which securesystemslib finds each key once', () => {
      const a = makeKey('ed25519').key;
      const b = makeKey('ecdsa-p256').key;
      const envelope = envelopeToJson(
        signEnvelope(IN_TOTO_PAYLOAD_TYPE, Buffer.from('{"x":1}'), [a, b]),
      ) as unknown as DsseJson;
      expect(peerVerify(envelope, toSslibKey(a.publicKey)).verified).toEqual([a.publicKey.keyid]);
      expect(peerVerify(envelope, toSslibKey(b.publicKey)).verified).toEqual([b.publicKey.keyid]);
    });
  });

  describe('when securesystemslib signs an envelope', () => {
    const statement = buildStatement(
      [{ name: 'app.tar.gz', digest: { sha256: DIGEST } }],
      SLSA_V1,
      { buildDefinition: { buildType: 'https://example.com/peer' } },
    );
    const payload = Buffer.from(JSON.stringify(statement));

    // `scheme` is what the peer is asked for (undefined: its default); `signs` what it uses.
    describe.each([
      { keytype: 'ed25519', scheme: undefined, signs: 'ed25519' },
      { keytype: 'ecdsa', scheme: undefined, signs: 'ecdsa-sha2-nistp256' },
      { keytype: 'rsa', scheme: undefined, signs: 'rsassa-pss-sha256' },
      { keytype: 'rsa', scheme: 'rsa-pkcs1v15-sha256', signs: 'rsa-pkcs1v15-sha256' },
      // RSA over SHA-384/512 (issue 10: keys and schemes as securesystemslib users have them).
      { keytype: 'rsa', scheme: 'rsassa-pss-sha384', signs: 'rsassa-pss-sha384' },
      { keytype: 'rsa', scheme: 'rsa-pkcs1v15-sha512', signs: 'rsa-pkcs1v15-sha512' },
    ] as const)('with a $keytype key signing $signs', ({ keytype, scheme, signs }) => {
      const dir = tempDir();
      const pub = join(dir, 'peer.pub');
      // Signed on first use inside a test, so that a missing peer fails tests, not a hook.
      let signed: { envelope: DsseJson; key: SslibKey } | undefined;
      const peer = (): { envelope: DsseJson; key: SslibKey } => {
        if (signed !== undefined) return signed;
        signed = peerSign({
          keytype,
          ...(scheme === undefined ? {} : { scheme }),
          payloadType: IN_TOTO_PAYLOAD_TYPE,
          payload,
        });
        writeFileSync(pub, peerKeyPem(signed.key));
        return signed;
      };

      it('signs with the expected securesystemslib scheme', () => {
        expect(peer().key.scheme).toBe(signs);
      });

      it('verifies in Vouch, the peer keyid being only a hint', () => {
        const { envelope } = peer();
        const trusted = loadPublicKey(readFileSync(pub, 'utf8'));
        // securesystemslib computes keyids its own way: DSSE keyids are unauthenticated hints.
        expect(envelope.signatures[0]?.keyid).not.toBe(trusted.keyid);
        const doc = parseSignedDocument(JSON.stringify(envelope));
        expect(documentSigners(doc, [trusted]).map((k) => k.keyid)).toEqual([trusted.keyid]);
        expect(parseStatement(doc.envelope.payload)).toEqual(statement);
      });

      it('reads the securesystemslib key dict itself as a key file, with the same keyid', async () => {
        const { envelope, key } = peer();
        const dict = join(dir, 'peer.sslib.json');
        writeFileSync(
          dict,
          JSON.stringify({ ...key, keyid_hash_algorithms: ['sha256', 'sha512'] }),
        );
        expect(loadPublicKey(readFileSync(dict, 'utf8')).keyid).toBe(
          loadPublicKey(readFileSync(pub, 'utf8')).keyid,
        );
        const file = join(dir, 'peer-dict.dsse.json');
        writeFileSync(file, JSON.stringify(envelope));
        const result = await runCli('verify-envelope', '--key', dict, file);
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
      });

      it('verifies with vouch verify-envelope', async () => {
        const file = join(dir, 'peer.dsse.json');
        writeFileSync(file, JSON.stringify(peer().envelope));
        const result = await runCli('verify-envelope', '--key', pub, file);
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
      });

      it.each(TAMPERINGS)('is rejected by Vouch when the %s is tampered', async (_, tamper) => {
        const tampered = JSON.stringify(tamper(peer().envelope));
        const trusted = loadPublicKey(readFileSync(pub, 'utf8'));
        expect(documentSigners(parseSignedDocument(tampered), [trusted])).toEqual([]);
        const file = join(dir, 'tampered.dsse.json');
        writeFileSync(file, tampered);
        const result = await runCli('verify-envelope', '--key', pub, file);
        expect(result.code).toBe(1);
        expect(result.stderr).toContain('BAD_SIGNATURE');
      });
    });
  });
});
