/**
 * The OAuth clients of one app. The same id may appear with several secrets, so a secret can be rotated
 * without a gap. Ids and secrets are compared as SHA-256 digests in constant time, and every entry is
 * checked (no early exit), so neither timing nor length tells which part was wrong.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

interface Client {
  id: string;
  idDigest: Buffer;
  secretDigest: Buffer;
}

export class ClientSet {
  readonly #clients: Client[];

  constructor(clients: readonly { id: string; secret: string }[]) {
    this.#clients = clients
      .filter((client) => client.secret.length > 0)
      .map((client) => ({ id: client.id, idDigest: digest(client.id), secretDigest: digest(client.secret) }));
  }

  /** The client id when id and secret belong together, else undefined. */
  authenticate(id: string, secret: string): string | undefined {
    const idProbe = digest(id);
    const secretProbe = digest(secret);
    let found: string | undefined;
    for (const client of this.#clients) {
      const idMatches = timingSafeEqual(idProbe, client.idDigest);
      const secretMatches = timingSafeEqual(secretProbe, client.secretDigest);
      if (idMatches && secretMatches) found = client.id;
    }
    return found;
  }

  has(id: string): boolean {
    return this.#clients.some((client) => client.id === id);
  }
}
