import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFeatureBuffer, FeatureHasher, readPart } from './feature-hasher.js';
import type { FeatureSettings } from './feature-settings.js';
import { STRUCTURAL_FEATURE_COUNT, STRUCTURAL_FEATURE_NAMES } from './structural-features.js';

const settings: FeatureSettings = {
  bucketBits: 14,
  wordNgrams: [1, 2],
  charNgramMin: 3,
  charNgramMax: 5,
  charNgramWeight: 1,
  charNgramChars: 0,
  foldDigits: true,
  structural: true,
};

/** A seeded generator (Park and Miller's), so that a failing case can be run again. */
function createTestRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 16_807) % 2_147_483_647;
    return state / 2_147_483_647;
  };
}

function featuresOf(text: string, categories?: string[]): Map<number, number> {
  const hasher = new FeatureHasher(settings);
  const buffer = createFeatureBuffer(hasher.capacityFor(text.length, categories?.length ?? 0));
  hasher.extract(text, buffer, categories);
  const features = new Map<number, number>();
  for (let index = 0; index < buffer.length; index += 1) {
    const key = buffer.indices[index] as number;
    features.set(key, (features.get(key) ?? 0) + (buffer.values[index] as number));
  }
  return features;
}

describe('FeatureHasher', () => {
  it('is case-insensitive, folds digits, and tells word order apart through bigrams', () => {
    // The n-gram buckets match; only the structural share of capitals differs.
    const hashedOnly = (features: Map<number, number>) => [...features].filter(([key]) => key < 2 ** 14);
    assert.deepEqual(hashedOnly(featuresOf('Card ARRIVED 42')), hashedOnly(featuresOf('card arrived 17')));
    assert.notDeepEqual(featuresOf('card arrived'), featuresOf('arrived card'));
  });

  it('never writes past the capacity it announces, for any text', () => {
    const generate = createTestRandom(11);
    for (let round = 0; round < 300; round += 1) {
      // Every other text through a head-and-tail reading, whose capacity is bounded by it.
      const hasher = new FeatureHasher(round % 2 ? { ...settings, maxChars: 60, tailChars: 40 } : settings);
      let text = '';
      const length = Math.floor(generate() * 300);
      for (let index = 0; index < length; index += 1)
        text += String.fromCharCode(Math.floor(generate() * 0x3000));
      const capacity = hasher.capacityFor(text.length, 1);
      const buffer = createFeatureBuffer(capacity);
      hasher.extract(text, buffer, ['x']);
      assert.ok(buffer.length <= capacity);
      for (let index = 0; index < buffer.length; index += 1)
        assert.ok((buffer.indices[index] as number) < hasher.dimension);
    }
  });

  it('writes each bucket once, worth every time its n-grams occurred', () => {
    const hasher = new FeatureHasher(settings);
    const text = 'the card and the card and the card';
    const buffer = createFeatureBuffer(hasher.capacityFor(text.length));
    hasher.extract(text, buffer);
    const buckets = Array.from(buffer.indices.subarray(0, buffer.length));
    assert.equal(new Set(buckets).size, buckets.length);
    // 'card' occurs three times, 'and' twice: their unigram entries weigh 3 and 2 times one share.
    const once = new FeatureHasher(settings);
    const unigramOf = (word: string) => {
      const probe = createFeatureBuffer(once.capacityFor(word.length));
      once.extract(word, probe);
      // A lone word's features: char n-grams, then the word unigram last before the structural ones.
      return probe.indices[probe.length - 1 - STRUCTURAL_FEATURE_COUNT] as number;
    };
    const weightOf = (bucket: number) => buffer.values[buckets.indexOf(bucket)] as number;
    assert.ok(Math.abs(weightOf(unigramOf('card')) / weightOf(unigramOf('and')) - 1.5) < 1e-6);
  });

  it('reads only the first maxChars characters when the settings say so', () => {
    const short = new FeatureHasher({ ...settings, maxChars: 20 });
    const features = (hasher: FeatureHasher, text: string) => {
      const buffer = createFeatureBuffer(hasher.capacityFor(text.length));
      hasher.extract(text, buffer);
      return [...buffer.indices.subarray(0, buffer.length)].map((index, position) => [
        index,
        buffer.values[position],
      ]);
    };
    const opening = 'my card has not come';
    const long = `${opening} yet, and here is a long story about everything else that happened`;
    assert.deepEqual(features(short, long), features(short, opening));
    assert.deepEqual(features(short, opening), features(new FeatureHasher(settings), opening));
    assert.notDeepEqual(features(new FeatureHasher(settings), long), features(short, long));
  });

  it('reads a long text as its head and its tail when the settings say so, with its whole length', () => {
    const headTail = { ...settings, maxChars: 30, tailChars: 20 };
    const hasher = new FeatureHasher(headTail);
    const features = (text: string) => {
      const buffer = createFeatureBuffer(hasher.capacityFor(text.length));
      hasher.extract(text, buffer);
      return new Map(
        [...buffer.indices.subarray(0, buffer.length)].map((index, position) => [
          index,
          buffer.values[position] as number,
        ]),
      );
    };
    const opening = 'Summarize the following report';
    const question = 'what did they decide?';
    const middle = ' and the meeting went on about budgets'.repeat(60);
    const long = `${opening}${middle}${question}`;
    assert.equal(readPart(long, 30, 20), `${opening} ${question.slice(-20)}`);
    assert.equal(readPart(opening, 30, 20), opening);
    assert.equal(readPart(long, 30, 0), opening);
    // The n-grams are those of the head and the tail; the middle's words are not read.
    const bucketsOf = (map: Map<number, number>) => [...map.keys()].filter((key) => key < 2 ** 14).sort();
    const read = readPart(long, 30, 20);
    const sampleOnly = new FeatureHasher(settings);
    const sampleBuffer = createFeatureBuffer(sampleOnly.capacityFor(read.length));
    sampleOnly.extract(read, sampleBuffer);
    assert.deepEqual(
      bucketsOf(features(long)),
      [...sampleBuffer.indices.subarray(0, sampleBuffer.length)].filter((key) => key < 2 ** 14).sort(),
    );
    // Length is the whole text's: log-length and is-long say 2,300 characters, not 51.
    const structural = (name: (typeof STRUCTURAL_FEATURE_NAMES)[number]) =>
      features(long).get(2 ** 14 + STRUCTURAL_FEATURE_NAMES.indexOf(name));
    assert.equal(structural('is-long'), 1);
    assert.ok(Math.abs((structural('log-length') as number) - Math.log1p(long.length) / 8) < 1e-6);
    // Counts are scaled up from the sample: about 2,300 / 51 times the sample's words.
    const words = Math.expm1((structural('log-words') as number) * 7);
    assert.ok(words > 300 && words < 500, `estimated ${words} words`);
    // The buffer a text needs is bounded by the part read, not by the text's length.
    assert.equal(hasher.capacityFor(1_000_000), hasher.capacityFor(51));
  });

  it('gives a forked hasher exactly the features its own pass over the opening gives', () => {
    const opening = { ...settings, maxChars: 25 };
    const generate = createTestRandom(21);
    const alphabet = 'aB3 .,?=é\n-x'.split('');
    for (const source of [{ ...settings, maxChars: 60, tailChars: 40 }, settings]) {
      const shared = new FeatureHasher(source);
      const own = new FeatureHasher(opening);
      const forked = new FeatureHasher(opening);
      assert.ok(shared.canForkTo(forked));
      let forks = 0;
      for (let round = 0; round < 400; round += 1) {
        // Random texts around the fork point: words cut at character 25, or ending just there.
        let text = '';
        const length = Math.floor(generate() * 160);
        for (let index = 0; index < length; index += 1) {
          const draw = generate();
          // A few very long words, and a few İ, which lower-cases to two characters (no fork then).
          text +=
            draw < 0.02
              ? 'w'.repeat(60)
              : draw < 0.025
                ? 'İ'
                : (alphabet[Math.floor(generate() * alphabet.length)] as string);
        }
        const expected = createFeatureBuffer(own.capacityFor(text.length));
        own.extract(text, expected);
        const fork = {
          at: 25,
          hasher: forked,
          out: createFeatureBuffer(forked.capacityFor(25)),
          done: false,
        };
        const sharedOut = createFeatureBuffer(shared.capacityFor(text.length));
        shared.extract(text, sharedOut, undefined, fork);
        if (!fork.done) continue;
        forks += 1;
        assert.deepEqual(
          [...fork.out.indices.subarray(0, fork.out.length)],
          [...expected.indices.subarray(0, expected.length)],
          JSON.stringify(text),
        );
        assert.deepEqual(
          [...fork.out.values.subarray(0, fork.out.length)],
          [...expected.values.subarray(0, expected.length)],
          JSON.stringify(text),
        );
      }
      assert.ok(forks > 200, `${forks} forks`);
    }
    // Settings that differ in more than how much is read cannot fork.
    assert.equal(
      new FeatureHasher(settings).canForkTo(new FeatureHasher({ ...opening, bucketBits: 12 })),
      false,
    );
    assert.equal(
      new FeatureHasher({ ...settings, maxChars: 20 }).canForkTo(new FeatureHasher(opening)),
      false,
    );
  });

  it('adds a categorical value as its own feature', () => {
    const plain = featuresOf('what is 2 + 2');
    const withSubject = featuresOf('what is 2 + 2', ['elementary_mathematics']);
    assert.equal(withSubject.size, plain.size + 1);
  });
});
