import type { Llama, LlamaGrammar } from 'node-llama-cpp';
import { InvalidRequestError } from '../../errors/index.js';
import { convertToGrammarSchema } from './convert-to-grammar-schema.js';

const MAX_GRAMMARS = 256;

/**
 * Grammars by schema: building one parses the schema into GBNF in native code, and clients send
 * the same few schemas again and again. A schema that cannot be converted is a 400 naming
 * `param`, raised before the request takes a sequence.
 */
export class GrammarCache {
  private readonly llama: Llama;
  private readonly grammars = new Map<string, Promise<LlamaGrammar>>();

  constructor(llama: Llama) {
    this.llama = llama;
  }

  /** `converted`: the schema is already in node-llama-cpp's subset (see convertToGrammarSchema). */
  get(
    schema: Record<string, unknown> | 'json',
    param: string,
    options: { converted?: boolean } = {},
  ): Promise<LlamaGrammar> {
    const key = schema === 'json' ? 'json' : `${options.converted ? 'c' : 'o'}${JSON.stringify(schema)}`;
    let grammar = this.grammars.get(key);
    if (grammar) return grammar;
    grammar = (
      schema === 'json'
        ? this.llama.getGrammarFor('json')
        : // Converted inside the chain, so a schema it cannot convert becomes the same 400.
          Promise.resolve(schema).then((value) =>
            this.llama.createGrammarForJsonSchema(
              // biome-ignore lint/suspicious/noExplicitAny: node-llama-cpp types the schema as its own GBNF subset.
              (options.converted ? value : convertToGrammarSchema(value)) as any,
            ),
          )
    ).catch((error: unknown) => {
      this.grammars.delete(key);
      throw new InvalidRequestError({
        message: `The embedded model cannot enforce this JSON schema: ${(error as Error).message}`,
        param,
        code: 'invalid_schema',
      });
    });
    if (this.grammars.size >= MAX_GRAMMARS) this.grammars.delete(this.grammars.keys().next().value as string);
    this.grammars.set(key, grammar);
    return grammar;
  }
}
