import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { TextClassifier, type TextClassifierFile } from './text-classifier.js';

const models = new URL('../../../models/router/', import.meta.url).pathname;
const readModelFile = (name: string) =>
  JSON.parse(readFileSync(`${models}${name}`, 'utf8')) as TextClassifierFile;

describe('TextClassifier', () => {
  it('refuses a file of another format or version', () => {
    const file = readModelFile('strong-needed.json');
    assert.throws(
      () => new TextClassifier({ ...file, version: 2 as 1 }),
      /not a switchyard-text-classifier v1 model/,
    );
    assert.throws(
      () => new TextClassifier({ ...file, format: 'other' as 'switchyard-text-classifier' }),
      /not a switchyard-text-classifier v1 model/,
    );
  });

  it('gives every label a probability, the best one first in its prediction', () => {
    const classifier = new TextClassifier(readModelFile('strong-needed.json'));
    const prediction = classifier.predict('What is the derivative of x^2 sin(x)?');
    const total = prediction.probabilities.reduce((sum, probability) => sum + probability, 0);
    assert.ok(Math.abs(total - 1) < 1e-12);
    assert.equal(prediction.probability, Math.max(...prediction.probabilities));
    assert.equal(prediction.label, classifier.labels[prediction.index]);
  });

  it('reports the out-of-scope label for an in-scope guess below the threshold', () => {
    const classifier = new TextClassifier(readModelFile('in-scope.json'));
    const { label, minConfidence } = classifier.file.outOfScope as { label: string; minConfidence: number };
    const outOfScope = classifier.labels.indexOf(label);
    const guess = outOfScope === 0 ? 1 : 0;
    const probabilities = new Float64Array(classifier.labels.length);
    probabilities[guess] = minConfidence / 2;
    assert.equal(classifier.decide(guess, probabilities), outOfScope);
    probabilities[guess] = minConfidence;
    assert.equal(classifier.decide(guess, probabilities), guess);
  });
});
