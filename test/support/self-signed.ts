import { execFileSync } from 'node:child_process';

/**
 * A self-signed P-256 certificate and its key, written by openssl (a real peer, as cert-manager
 * or an operator's CA would issue one). `altNames` is the subjectAltName list, e.g.
 * `IP:127.0.0.1`.
 */
export function writeSelfSigned(
  keyPath: string,
  certPath: string,
  commonName: string,
  altNames: readonly string[] = [],
): void {
  const san = altNames.length === 0 ? [] : ['-addext', `subjectAltName=${altNames.join(',')}`];
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-days',
      '2',
      '-subj',
      `/CN=${commonName}`,
      ...san,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
}
