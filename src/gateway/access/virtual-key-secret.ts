import { createHash, randomBytes } from 'node:crypto';

/** The prefix every virtual key starts with, so secret scanners can find leaked ones. */
export const KEY_PREFIX = 'sy-';
/** The longest credential looked up at all; anything longer is refused unread. */
export const MAX_KEY_LENGTH = 256;

/** sha256 of a key, hex: the only form in which keys are stored. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** A new key: 32 random bytes after the prefix, shown once; its hash and a short prefix are kept. */
export function createKeySecret(): { key: string; hash: string; prefix: string } {
  const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, hash: hashKey(key), prefix: key.slice(0, KEY_PREFIX.length + 6) };
}
