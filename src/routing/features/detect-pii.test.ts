import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectPii, listPiiKinds, redactPii } from './detect-pii.js';

describe('detectPii', () => {
  const found: [string, string][] = [
    ['card with spaces', 'Charge 4111 1111 1111 1111 please'],
    ['card without separators', 'card 5555555555554444 ok'],
    ['amex', 'amex 3782-822463-10005'],
    ['IBAN (GB) with spaces', 'send to GB82 WEST 1234 5698 7654 32 today'],
    ['IBAN (DE) compact', 'IBAN DE89370400440532013000.'],
    ['IBAN (ES)', 'cuenta ES91 2100 0418 4502 0005 1332'],
    ['US SSN', 'my SSN is 123-45-6789'],
    ['Spanish DNI', 'DNI 12345678Z'],
    ['Spanish NIE', 'NIE X1234567L'],
    ['email', 'write to jane.doe+work@example.co.uk now'],
    ['IPv4', 'server 192.168.10.254 is down'],
    ['IPv6', 'host 2001:db8::8a2e:370:7334 unreachable'],
    ['international phone', 'call +34 612 345 678'],
    ['national phone', 'call (555) 123-4567 today'],
  ];
  const expectedKind: Record<string, string> = {
    'card with spaces': 'payment-card',
    'card without separators': 'payment-card',
    amex: 'payment-card',
    'IBAN (GB) with spaces': 'iban',
    'IBAN (DE) compact': 'iban',
    'IBAN (ES)': 'iban',
    'US SSN': 'us-ssn',
    'Spanish DNI': 'es-dni',
    'Spanish NIE': 'es-dni',
    email: 'email',
    IPv4: 'ip-address',
    IPv6: 'ip-address',
    'international phone': 'phone',
    'national phone': 'phone',
  };
  for (const [name, text] of found) {
    it(`finds a ${name}`, () => {
      assert.deepEqual(listPiiKinds(text), [expectedKind[name]]);
    });
  }

  const clean: [string, string][] = [
    ['a card number failing Luhn', 'ref 4111 1111 1111 1112'],
    ['an IBAN with wrong check digits', 'GB83 WEST 1234 5698 7654 32'],
    ['an SSN with area 000', '000-12-3456'],
    ['an SSN with area 666', '666-12-3456'],
    ['a DNI with the wrong letter', '12345678A'],
    ['an out-of-range IPv4', '999.1.1.1'],
    ['a version number', 'upgrade to 1.2.3'],
    ['an ISO date', 'due 2024-05-17'],
    ['a short number', 'order 12345'],
    ['plain prose', 'Summarise the meeting notes about the Q3 roadmap.'],
  ];
  for (const [name, text] of clean) {
    it(`does not flag ${name}`, () => {
      assert.deepEqual(listPiiKinds(text), []);
    });
  }

  it('reports several kinds at once', () => {
    assert.deepEqual(listPiiKinds('Card 4111111111111111, mail a@b.io, IBAN DE89 3704 0044 0532 0130 00'), [
      'email',
      'iban',
      'payment-card',
    ]);
  });

  it('redacts each match by its kind', () => {
    assert.equal(
      redactPii('Mail jane@example.com, card 4111 1111 1111 1111.'),
      'Mail [EMAIL], card [PAYMENT-CARD].',
    );
  });
});

describe('detectPii on hostile input', () => {
  it('scans long runs that almost look like e-mail addresses in linear time, and still finds real ones', () => {
    // With an unbounded local part this took seconds (every position retried the whole run).
    const run = `${'a.'.repeat(200_000)}@`;
    assert.deepEqual(detectPii(run), []);
    assert.deepEqual(listPiiKinds(`${run} write to ana@example.com`), ['email']);
  });
});
