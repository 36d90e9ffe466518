import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A CA and a server certificate it issued, as PEM files (made by openssl). */
export interface TestPki {
  /** The CA certificate: what a client must trust. */
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

const P256 = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * A private CA and a server certificate for `altNames` (e.g. `IP:127.0.0.1`), written into
 * `dir` with openssl, as an operator's internal CA would issue one for a registry.
 */
export function writeTestPki(dir: string, altNames: readonly string[]): TestPki {
  const ca = join(dir, 'ca.crt');
  const caKey = join(dir, 'ca.key');
  const cert = join(dir, 'server.crt');
  const key = join(dir, 'server.key');
  const csr = join(dir, 'server.csr');
  const ext = join(dir, 'server.ext');
  openssl(
    'req',
    '-x509',
    ...P256,
    '-keyout',
    caKey,
    '-out',
    ca,
    '-days',
    '2',
    '-subj',
    '/CN=Vouch test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  openssl('req', '-new', ...P256, '-keyout', key, '-out', csr, '-subj', '/CN=vouch-test-registry');
  writeFileSync(
    ext,
    `subjectAltName=${altNames.join(',')}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`,
  );
  openssl(
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca,
    '-CAkey',
    caKey,
    '-set_serial',
    '1',
    '-days',
    '2',
    '-extfile',
    ext,
    '-out',
    cert,
  );
  return { ca, cert, key };
}
