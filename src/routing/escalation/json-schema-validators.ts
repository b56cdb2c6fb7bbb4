import { Ajv, type ValidateFunction } from 'ajv';

const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: false });
/** Compiled validators keyed by schema text: clients resend the same few schemas. */
const validators = new Map<string, ValidateFunction>();
const MAX_CACHED = 1_000;

/** Why `schema` is not a usable JSON schema (meta-schema check, then compile), or undefined. */
export function findSchemaProblem(schema: Record<string, unknown>): string | undefined {
  if (validators.has(JSON.stringify(schema))) return undefined;
  try {
    if (!ajv.validateSchema(schema)) return ajv.errorsText(ajv.errors, { dataVar: 'schema' });
    getSchemaValidator(schema);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** A compiled, cached validator; throws if the schema does not compile. */
export function getSchemaValidator(schema: Record<string, unknown>): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.compile(schema);
    if (validators.size >= MAX_CACHED) validators.delete(validators.keys().next().value as string);
    validators.set(key, validate);
  }
  return validate;
}

/** Validates `value`; returns the first problem as text, or undefined when it fits. */
export function findValueProblem(schema: Record<string, unknown>, value: unknown): string | undefined {
  let validate: ValidateFunction;
  try {
    validate = getSchemaValidator(schema);
  } catch (error) {
    return `its schema does not compile: ${(error as Error).message}`;
  }
  if (validate(value)) return undefined;
  return ajv.errorsText(validate.errors, { dataVar: 'value' });
}
