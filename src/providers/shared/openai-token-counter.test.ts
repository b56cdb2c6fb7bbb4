import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createOpenAITokenCounter, findOpenAIEncoding } from './openai-token-counter.js';

describe('OpenAI token counting', () => {
  it('picks o200k_base for the gpt-4o, gpt-4.1, gpt-5 and o-series families and cl100k_base for gpt-4/3.5', () => {
    assert.equal(findOpenAIEncoding('gpt-4o-mini-2024-07-18'), 'o200k_base');
    assert.equal(findOpenAIEncoding('gpt-4.1-nano'), 'o200k_base');
    assert.equal(findOpenAIEncoding('gpt-5'), 'o200k_base');
    assert.equal(findOpenAIEncoding('o3-mini'), 'o200k_base');
    assert.equal(findOpenAIEncoding('gpt-4-turbo'), 'cl100k_base');
    assert.equal(findOpenAIEncoding('gpt-3.5-turbo'), 'cl100k_base');
    assert.equal(findOpenAIEncoding('meta-llama/Llama-3.1-8B-Instruct'), undefined);
  });

  it('counts with the real BPE where the encoding is known, and estimates otherwise', () => {
    const openai = createOpenAITokenCounter('gpt-4o');
    assert.equal(openai.exact, true);
    // "Hello world" is two tokens in both cl100k_base and o200k_base.
    assert.equal(openai.countTokens('Hello world'), 2);
    assert.equal(createOpenAITokenCounter('gpt-4').countTokens('Hello world'), 2);
    // The estimate would say 3 (11 characters / 4, rounded up): a different number, flagged inexact.
    const other = createOpenAITokenCounter('qwen2.5-7b-instruct');
    assert.equal(other.exact, false);
    assert.equal(other.countTokens('Hello world'), 3);
  });
});
