import { InvalidRequestError } from '../../errors/index.js';
import { findSchemaProblem } from '../../routing/index.js';

/**
 * Refuses a JSON schema that is not one (checked against the JSON Schema meta-schema and
 * compiled once, which also catches broken `$ref`s).
 */
export function checkJsonSchema(schema: Record<string, unknown>, param: string): void {
  const problem = findSchemaProblem(schema);
  if (problem) {
    throw new InvalidRequestError({
      message: `Invalid schema for '${param}': ${problem}.`,
      param,
      code: 'invalid_schema',
    });
  }
}
