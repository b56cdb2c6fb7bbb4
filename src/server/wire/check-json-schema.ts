import { Ajv } from 'ajv';
import { InvalidRequestError } from '../../errors/index.js';

const ajv = new Ajv({ strict: false, validateFormats: false });
/** Schemas already found valid, keyed by their JSON text: clients resend the same few schemas. */
const validSchemas = new Set<string>();

/**
 * Refuses a JSON schema that is not one (checked against the JSON Schema meta-schema and
 * compiled once, which also catches broken `$ref`s).
 */
export function checkJsonSchema(schema: Record<string, unknown>, param: string): void {
  const key = JSON.stringify(schema);
  if (validSchemas.has(key)) return;
  let problem: string | undefined;
  try {
    if (!ajv.validateSchema(schema)) problem = ajv.errorsText(ajv.errors, { dataVar: 'schema' });
    else ajv.compile(schema);
  } catch (error) {
    problem = (error as Error).message;
  }
  if (problem) {
    throw new InvalidRequestError({
      message: `Invalid schema for '${param}': ${problem}.`,
      param,
      code: 'invalid_schema',
    });
  }
  if (validSchemas.size > 1_000) validSchemas.clear();
  validSchemas.add(key);
}
