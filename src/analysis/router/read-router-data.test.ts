import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultClincSplits, readBanking77, readBitext, readClinc150 } from './read-router-data.js';

// The shape of CLINC150's full release: the shared file has the first four keys only.
const fullRelease = JSON.stringify({
  train: [['what is my balance', 'balance']],
  val: [['how much money do I have', 'balance']],
  test: [
    ['tell me my balance', 'balance'],
    ['how do I bake bread', 'oos'],
  ],
  oos_train: [['who won the game', 'oos']],
  oos_val: [['play some jazz', 'oos']],
  oos_test: [['what is the capital of peru', 'oos']],
});

describe('readClinc150', () => {
  it('reads a file without test keys whole, for training and evaluation alike', () => {
    const keys = ['train', 'val', 'oos_train', 'oos_val'];
    assert.deepEqual(defaultClincSplits(keys, 'train'), keys);
    assert.deepEqual(defaultClincSplits(keys, 'eval'), keys);
  });

  it('holds the test keys of a full release out of training, and evaluates on them alone', () => {
    const training = readClinc150(fullRelease, undefined, 'train');
    assert.deepEqual(training.splits, ['train', 'val', 'oos_train', 'oos_val']);
    assert.equal(training.examples.length, 4);
    assert.ok(!training.examples.some((example) => example.text === 'tell me my balance'));
    const evaluation = readClinc150(fullRelease, undefined, 'eval');
    assert.deepEqual(evaluation.splits, ['test', 'oos_test']);
    assert.deepEqual(
      evaluation.examples.map((example) => example.label),
      ['balance', 'oos', 'oos'],
    );
    assert.equal(evaluation.outOfScopeLabel, 'oos');
  });

  it('reads the keys it is given, whatever the purpose', () => {
    const named = readClinc150(fullRelease, ['val', 'test'], 'train');
    assert.deepEqual(named.splits, ['val', 'test']);
    assert.equal(named.examples.length, 3);
  });

  it('says what is wrong with a file that is not a CLINC150 file', () => {
    assert.throws(() => readClinc150('[["a", "b"]]'), /expected a JSON object of splits/);
    assert.throws(() => readClinc150(fullRelease, ['dev']), /no split "dev" \(splits: train, val, test/);
    assert.throws(
      () => readClinc150(JSON.stringify({ train: [['text only']] })),
      /split "train": expected \[text, intent\] pairs, got \["text only"\]/,
    );
    assert.throws(
      () => readClinc150(JSON.stringify({ train: [{ text: 'hi', intent: 'greet' }] })),
      /expected \[text, intent\] pairs/,
    );
  });
});

describe('intent CSV files', () => {
  it('reads banking77 and Bitext rows from their named columns, with a byte-order mark and CRLF lines', () => {
    const banking = readBanking77(
      '\ufefftext,category\r\n"my card, it was declined",declined_card_payment\r\n',
    );
    assert.deepEqual(banking.examples, [
      { text: 'my card, it was declined', label: 'declined_card_payment' },
    ]);
    const bitext = readBitext('flags,instruction,intent\nB,cancel my order,cancel_order\n');
    assert.deepEqual(bitext.examples, [{ text: 'cancel my order', label: 'cancel_order' }]);
  });

  it('refuses a file without the columns, instead of reading empty texts', () => {
    assert.throws(
      () => readBanking77('text,label\nhi,greet\n'),
      /no "category" column \(columns: text, label\)/,
    );
    assert.throws(() => readBitext('text,category\nhi,greet\n'), /no "instruction" column/);
    assert.throws(() => readBanking77(''), /no rows/);
  });
});
