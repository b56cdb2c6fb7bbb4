import { readFileSync } from 'node:fs';

/** A JSON schema exactly as a real client sent or emitted it, and which client and call made it. */
export interface ClientJsonSchema {
  source: string;
  schema: Record<string, unknown>;
}

/**
 * Schemas recorded from LangChain JS, the AI SDK, zod 4's `z.toJSONSchema`, zod-to-json-schema
 * and pydantic: `$schema` of draft-07 or 2020-12, `$defs`/`definitions` with `$ref`s (shared,
 * recursive, into `properties`, at the root), `anyOf` with null, type lists and tuples.
 */
export const CLIENT_JSON_SCHEMAS: Record<string, ClientJsonSchema> = JSON.parse(
  readFileSync(new URL('./__fixtures__/client-json-schemas.json', import.meta.url), 'utf8'),
);
