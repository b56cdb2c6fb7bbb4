import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The dashboard's session cookie: HttpOnly, SameSite=Strict, never readable by the page's script. */
export const SESSION_COOKIE = 'switchyard_session';
const SESSION_MS = 12 * 3_600_000;

function sign(secret: string, payload: string): Buffer {
  // Keyed by the credential itself: every replica with the same key accepts the session, and
  // changing the key ends every session.
  const key = createHash('sha256').update(`switchyard-dashboard-session:${secret}`).digest();
  return createHmac('sha256', key).update(payload).digest();
}

/** A signed session token that expires on its own; logging out clears the cookie. */
export function createSessionToken(secret: string, now = Date.now()): string {
  const payload = `${now + SESSION_MS}.${randomBytes(12).toString('base64url')}`;
  return `${payload}.${sign(secret, payload).toString('base64url')}`;
}

/** Checks a token's signature in constant time, then its expiry. */
export function verifySessionToken(token: string | undefined, secret: string, now = Date.now()): boolean {
  if (!token) return false;
  const split = token.lastIndexOf('.');
  if (split < 0) return false;
  const payload = token.slice(0, split);
  const given = Buffer.from(token.slice(split + 1), 'base64url');
  const expected = sign(secret, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
  const expiresAt = Number(payload.slice(0, payload.indexOf('.')));
  return Number.isFinite(expiresAt) && expiresAt > now;
}

/** One cookie's value out of a `Cookie` header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const split = part.indexOf('=');
    if (split > 0 && part.slice(0, split).trim() === name) return part.slice(split + 1).trim();
  }
  return undefined;
}

export function describeSessionCookie(token: string, secure: boolean): string {
  const flags = `Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_MS / 1000}`;
  return `${SESSION_COOKIE}=${token}; ${flags}${secure ? '; Secure' : ''}`;
}

export function describeClearedCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
}
