/**
 * Certificates the tests make themselves with the openssl command (.ci/run installs it where missing): a
 * CA, and server certificates it signs for 127.0.0.1 and localhost. RSA 2048, as Entra requires.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCa {
  dir: string;
  caPem: string;
  /** Writes a key and a certificate signed by the CA for `cn` to these paths; returns the certificate PEM. */
  issue(certFile: string, keyFile: string, cn: string): string;
  close(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

export function createTestCa(): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'scimgw-ca-'));
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '2',
      '-subj',
      '/CN=scimgw test CA',
    ],
    dir,
  );
  writeFileSync(
    join(dir, 'san.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n',
  );
  let serial = 1;
  return {
    dir,
    caPem: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    issue(certFile, keyFile, cn) {
      const name = `server-${serial}`;
      openssl(
        ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`],
        dir,
      );
      openssl(
        [
          'x509',
          '-req',
          '-in',
          `${name}.csr`,
          '-CA',
          'ca.crt',
          '-CAkey',
          'ca.key',
          '-set_serial',
          String(serial++),
          '-out',
          `${name}.crt`,
          '-days',
          '2',
          '-extfile',
          'san.ext',
        ],
        dir,
      );
      const cert = readFileSync(join(dir, `${name}.crt`), 'utf8');
      // Key first, then certificate, as a careless renewal might: the gateway must cope with the gap.
      writeFileSync(keyFile, readFileSync(join(dir, `${name}.key`)));
      writeFileSync(certFile, cert);
      return cert;
    },
    close() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
