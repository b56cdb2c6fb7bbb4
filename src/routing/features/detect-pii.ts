import { isIP } from 'node:net';
import type { PiiKind } from '../../contract/index.js';
import {
  hasCardIssuerPrefix,
  isIbanValid,
  isLuhnValid,
  isSpanishIdValid,
  isSsnValid,
} from './pii-validators.js';

export type { PiiKind };

export interface PiiMatch {
  kind: PiiKind;
  start: number;
  end: number;
}

interface Detector {
  kind: PiiKind;
  pattern: RegExp;
  isValid(match: RegExpExecArray): boolean;
  /**
   * The shape alone identifies the format (an IBAN, an SSN): a failed checksum means "not PII", and
   * the span must not be re-read by a looser detector (its digit groups look like a phone number).
   */
  claimsShape?: boolean;
}

const digitsOf = (text: string) => text.replace(/\D/g, '');

// Order matters: when matches overlap, the earlier (more specific, checksummed) detector wins.
const DETECTORS: Detector[] = [
  {
    kind: 'iban',
    pattern: /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b/g,
    isValid: (match) => isIbanValid(match[0].replace(/ /g, '')),
    claimsShape: true,
  },
  {
    kind: 'payment-card',
    pattern: /\b\d(?:[ -]?\d){12,18}\b/g,
    isValid: (match) => {
      const digits = digitsOf(match[0]);
      return digits.length >= 13 && digits.length <= 19 && hasCardIssuerPrefix(digits) && isLuhnValid(digits);
    },
  },
  {
    kind: 'us-ssn',
    pattern: /\b(\d{3})-(\d{2})-(\d{4})\b/g,
    isValid: (match) => isSsnValid(match[1] ?? '', match[2] ?? '', match[3] ?? ''),
    claimsShape: true,
  },
  {
    kind: 'es-dni',
    pattern: /\b[XYZxyz]?\d{7,8}-?[A-Za-z]\b/g,
    isValid: (match) => {
      const compact = match[0].replace('-', '');
      return compact.length === 9 && isSpanishIdValid(compact);
    },
  },
  {
    kind: 'email',
    // Starts only where a local part starts and is bounded (64 characters, 8 labels), so a long
    // run such as "a.a.a.a..." is scanned in linear time, not retried from every position.
    pattern:
      /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24}\b/g,
    isValid: (match) => !match[0].includes('..'),
  },
  {
    kind: 'ip-address',
    pattern: /(?<![\w.:])(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7})(?![\w.:])/g,
    isValid: (match) => isIP(match[0]) !== 0 && match[0] !== '::',
  },
  {
    kind: 'phone',
    // +<country> or a grouped national number; bare digit runs are too often order numbers.
    pattern:
      /(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]\d{2,4}){1,4}(?![\w])|\+\d{8,15}\b/g,
    isValid: (match) => {
      const digits = digitsOf(match[0]);
      const international = match[0].startsWith('+');
      return (
        digits.length >= (international ? 8 : 9) &&
        digits.length <= 15 &&
        !/^\d{4}[-.]\d{2}[-.]\d{2}$/.test(match[0])
      );
    },
  },
];

/**
 * Finds personal data in text, each kind confirmed by its checksum or structure where one exists:
 * cards by Luhn and issuer prefix, IBANs by mod-97, SSNs by the SSA's rules, Spanish DNI/NIE by
 * their check letter, IPs by a real parser. Overlapping matches keep the most specific kind.
 */
export function detectPii(text: string): PiiMatch[] {
  const matches: PiiMatch[] = [];
  const claimed: { start: number; end: number }[] = [];
  const overlaps = (start: number, end: number) =>
    claimed.some((span) => start < span.end && end > span.start);
  for (const detector of DETECTORS) {
    detector.pattern.lastIndex = 0;
    for (let found = detector.pattern.exec(text); found; found = detector.pattern.exec(text)) {
      const start = found.index;
      const end = start + found[0].length;
      if (overlaps(start, end)) continue;
      const valid = detector.isValid(found);
      if (valid) matches.push({ kind: detector.kind, start, end });
      if (valid || detector.claimsShape) claimed.push({ start, end });
    }
  }
  return matches.sort((left, right) => left.start - right.start);
}

/** The distinct kinds of PII in the text, in a stable order. */
export function listPiiKinds(text: string): PiiKind[] {
  return [...new Set(detectPii(text).map((match) => match.kind))].sort();
}

/** The text with each piece of PII replaced by its kind, e.g. `[EMAIL]`, for `redacted` content logs. */
export function redactPii(text: string): string {
  let result = '';
  let last = 0;
  for (const match of detectPii(text)) {
    result += `${text.slice(last, match.start)}[${match.kind.toUpperCase()}]`;
    last = match.end;
  }
  return result + text.slice(last);
}
