import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeWeights, FeatureHasher, TextClassifier } from '../../routing/index.js';
import { createRandom } from './create-random.js';
import { DEFAULT_FEATURE_SETTINGS } from './router-training-defaults.js';
import { trainTextClassifier } from './train-text-classifier.js';
import type { TrainingExample } from './training-example.js';

const settings = { ...DEFAULT_FEATURE_SETTINGS, bucketBits: 14 };
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
});
