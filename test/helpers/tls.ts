import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './server.js';

/** A self-signed certificate for 127.0.0.1, made with the openssl command the README gives. */
export function selfSigned(): { certFile: string; keyFile: string; cert: Buffer; key: Buffer } {
  const dir = tempDir();
  const certFile = join(dir, 'site-cert.pem');
  const keyFile = join(dir, 'site-key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30',
    '-keyout', keyFile, '-out', certFile,
    '-subj', '/CN=dynamo-site', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ], { stdio: 'ignore' });
  return { certFile, keyFile, cert: readFileSync(certFile), key: readFileSync(keyFile) };
}
