import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFeatureBuffer, FeatureHasher, readPart } from './feature-hasher.js';
import { DEFAULT_FEATURE_SETTINGS } from './feature-settings.js';
import { decodeWeights, encodeWeights, entryClass, entryValue, ROW_SCALES } from './packed-weights.js';
import { computeStrongNeed } from './strong-need.js';
import { STRUCTURAL_FEATURE_COUNT, STRUCTURAL_FEATURE_NAMES } from './structural-features.js';
import { TextClassifier } from './text-classifier.js';
import { createRandom, type TrainingExample, trainTextClassifier } from './train-text-classifier.js';
import { sharedTextLength, TrainedTaskClassifier } from './trained-task-classifier.js';

const settings = { ...DEFAULT_FEATURE_SETTINGS, bucketBits: 14 };

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

const examples: TrainingExample[] = [];
const random = createRandom(3);
const topics = {
  refund: ['refund', 'money back', 'return my payment', 'reimburse'],
  card: ['card arrived', 'card delivery', 'new card', 'card not here'],
  greeting: ['hello there', 'hi', 'good morning', 'hey you'],
};
for (let index = 0; index < 300; index += 1) {
  const [label, phrases] = Object.entries(topics)[index % 3] as [string, string[]];
  const phrase = phrases[Math.floor(random() * phrases.length)] as string;
  examples.push({
    text: `${['please', 'I want', 'can I get', ''][index % 4]} ${phrase} ${index % 7 === 0 ? '?' : ''}`,
    label,
  });
}
const options = {
  purpose: 'test',
  features: settings,
  epochs: 4,
  learningRate: 0.2,
  l2: 1e-5,
  seed: 7,
  maxWeights: 1e9,
};

describe('FeatureHasher', () => {
  it('is case-insensitive, folds digits, and tells word order apart through bigrams', () => {
    // The n-gram buckets match; only the structural share of capitals differs.
    const hashedOnly = (features: Map<number, number>) => [...features].filter(([key]) => key < 2 ** 14);
    assert.deepEqual(hashedOnly(featuresOf('Card ARRIVED 42')), hashedOnly(featuresOf('card arrived 17')));
    assert.notDeepEqual(featuresOf('card arrived'), featuresOf('arrived card'));
  });

  it('never writes past the capacity it announces, for any text', () => {
    const generate = createRandom(11);
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
    const generate = createRandom(21);
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

describe('packed weights', () => {
  it('round-trips within int8 quantisation error and drops weights below the threshold', () => {
    const dense = new Float32Array([0.5, -0.25, 0, 0.001, 0, 0, 3, -1.5]);
    const packed = decodeWeights(encodeWeights(dense, 4, 2, 0.01), 4);
    const restored = new Float32Array(8);
    for (let row = 0; row < 4; row += 1) {
      for (
        let entry = packed.rowStart[row] as number;
        entry < (packed.rowStart[row + 1] as number);
        entry += 1
      ) {
        const stored = packed.entries[entry] as number;
        restored[row * 2 + entryClass(stored)] =
          entryValue(stored) * (ROW_SCALES[packed.scaleCode[row] as number] as number);
      }
    }
    dense.forEach((value, index) => {
      const expected = Math.abs(value) < 0.01 ? 0 : value;
      assert.ok(
        Math.abs((restored[index] as number) - expected) <= Math.abs(expected) * 0.02 + 1e-9,
        `${index}`,
      );
    });
  });
});

describe('trainTextClassifier', () => {
  it('learns separable intents', () => {
    const { classifier } = trainTextClassifier(examples, options);
    assert.equal(classifier.predict('can I get a refund').label, 'refund');
    assert.equal(classifier.predict('my new card is not here').label, 'card');
    assert.equal(classifier.predict('good morning!').label, 'greeting');
  });

  it('is deterministic: the same data and seed give the same file; another seed another model', () => {
    const first = trainTextClassifier(examples, options).file;
    const second = trainTextClassifier(examples, options).file;
    assert.deepEqual(first, second);
    assert.notEqual(
      trainTextClassifier(examples, { ...options, seed: 8 }).file.weights.base64,
      first.weights.base64,
    );
    assert.match(first.training.dataSha256, /^[0-9a-f]{64}$/);
  });

  it('trains with the hinge loss: same intents, deterministic, recorded, and still once every margin holds', () => {
    const hinge = { ...options, loss: 'hinge' as const };
    const { file, classifier } = trainTextClassifier(examples, hinge);
    assert.equal(classifier.predict('can I get a refund').label, 'refund');
    assert.equal(classifier.predict('my new card is not here').label, 'card');
    assert.equal(file.training.loss, 'hinge');
    assert.equal(file.training.margin, 4);
    assert.deepEqual(trainTextClassifier(examples, hinge).file, file);
    assert.notEqual(file.weights.base64, trainTextClassifier(examples, options).file.weights.base64);
    // Once every training example leads its best rival by the margin, nothing changes any more;
    // the logistic loss never stops pulling.
    const weightsAfter = (loss: 'hinge' | 'logistic', epochs: number) =>
      trainTextClassifier(examples, { ...options, loss, epochs }).file.weights.base64;
    assert.equal(weightsAfter('hinge', 30), weightsAfter('hinge', 60));
    assert.notEqual(weightsAfter('logistic', 30), weightsAfter('logistic', 60));
  });

  it('survives a JSON round trip with the same predictions', () => {
    const { file, classifier } = trainTextClassifier(examples, options);
    const reloaded = new TextClassifier(JSON.parse(JSON.stringify(file)));
    for (const text of ['refund please', 'hello', 'card delivery status']) {
      assert.deepEqual(reloaded.predict(text).probabilities, classifier.predict(text).probabilities);
    }
  });

  it('prunes to the weight budget it is given', () => {
    const { classifier } = trainTextClassifier(examples, { ...options, maxWeights: 500 });
    assert.ok(classifier.weightCount <= 500, `${classifier.weightCount}`);
  });

  it('caps the weights per feature row, refits, and records it', () => {
    const capped = { ...options, loss: 'hinge' as const, maxWeightsPerRow: 1 };
    const { file, classifier } = trainTextClassifier(examples, capped);
    const packed = decodeWeights(
      Buffer.from(file.weights.base64, 'base64'),
      new FeatureHasher(settings).dimension,
    );
    let widest = 0;
    for (let row = 0; row + 1 < packed.rowStart.length; row += 1)
      widest = Math.max(widest, (packed.rowStart[row + 1] as number) - (packed.rowStart[row] as number));
    assert.equal(widest, 1);
    // Uncapped, common words ('please', 'I want') score every intent.
    const uncapped = trainTextClassifier(examples, { ...capped, maxWeightsPerRow: undefined }).classifier;
    assert.ok(uncapped.weightCount > classifier.weightCount);
    assert.equal(classifier.predict('can I get a refund').label, 'refund');
    assert.equal(classifier.predict('my new card is not here').label, 'card');
    assert.equal(classifier.predict('good morning!').label, 'greeting');
    assert.equal(file.training.maxWeightsPerRow, 1);
    assert.equal(file.training.refitEpochs, 3);
    assert.deepEqual(trainTextClassifier(examples, capped).file, file);
  });

  it('refuses a file of another format or version', () => {
    const { file } = trainTextClassifier(examples, options);
    assert.throws(
      () => new TextClassifier({ ...file, version: 2 as 1 }),
      /not a switchyard-text-classifier v1 model/,
    );
  });
});

describe('TrainedTaskClassifier', () => {
  it('gives a model that reads fewer characters the shared features only when they are the same', () => {
    const taskType = trainTextClassifier(examples, options).classifier;
    const inScope = trainTextClassifier(examples, {
      ...options,
      features: { ...settings, maxChars: 20 },
      seed: 9,
    }).classifier;
    const router = new TrainedTaskClassifier({ taskType, inScope });
    for (const text of [
      'refund please',
      'my new card is not here',
      'good morning! I would like a refund of the card fee',
    ]) {
      const alone = inScope.predict(text);
      assert.equal(router.classify(text).intent, alone.label, text);
    }
    // Past 20 characters the in-scope model reads only the opening, whatever follows.
    assert.equal(
      router.classify('hello there my friend, I want a refund').intent,
      router.classify('hello there my friend').intent,
    );
  });

  it('shares one hashing between models only for texts both read the same way', () => {
    const headTail = { ...settings, maxChars: 500, tailChars: 500 };
    assert.equal(sharedTextLength(headTail, { ...headTail }), Number.POSITIVE_INFINITY);
    // An opening-only model reads texts up to 200 characters whole, as the head-and-tail one does.
    assert.equal(sharedTextLength(headTail, { ...settings, maxChars: 200 }), 200);
    assert.equal(sharedTextLength(headTail, settings), 1_000);
    assert.equal(sharedTextLength(settings, { ...settings, maxChars: 200, tailChars: 0 }), 200);
    assert.equal(sharedTextLength(headTail, { ...headTail, bucketBits: 16 }), -1);
  });
});

describe('computeStrongNeed', () => {
  it('is the expected gain of a strong call, rescaled to 0..1', () => {
    const labels = ['both-right', 'both-wrong', 'strong-only', 'weak-only'];
    assert.equal(computeStrongNeed(labels, [0.5, 0.1, 0.4, 0]), 0.7);
    assert.equal(computeStrongNeed(labels, [0.5, 0.1, 0.2, 0.2]), 0.5);
    assert.equal(computeStrongNeed(labels, [0, 0, 0, 1]), 0);
  });
});
