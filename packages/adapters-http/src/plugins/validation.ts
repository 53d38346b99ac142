import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import type { FieldError } from '@latchkey/domain';

// ajv-formats ships CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const makeAjv = (coerceTypes: boolean): Ajv =>
  addFormats(
    new Ajv({
      coerceTypes,
      removeAdditional: false,
      useDefaults: true,
      allErrors: false,
      strict: false,
    }),
  );

/**
 * Bodies are validated as sent: unknown properties are rejected, never removed, and types are
 * never coerced. Query strings and path params are strings on the wire, so they are coerced.
 */
export const registerValidation = (app: FastifyInstance): void => {
  const bodyAjv = makeAjv(false);
  const wireAjv = makeAjv(true);
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? bodyAjv : wireAjv;
    return ajv.compile(schema);
  });
};

/** Turns Ajv errors into the contract's `errors` list of JSON Pointer paths. */
export const fieldErrors = (errors: readonly Partial<ErrorObject>[], part: string): FieldError[] =>
  errors.map((error) => {
    const base = error.instancePath ?? '';
    const params = (error.params ?? {}) as Record<string, unknown>;
    const extra =
      typeof params.missingProperty === 'string'
        ? `/${params.missingProperty}`
        : typeof params.additionalProperty === 'string'
          ? `/${params.additionalProperty}`
          : '';
    const message =
      typeof params.additionalProperty === 'string'
        ? 'is not an allowed property'
        : (error.message ?? 'is invalid');
    const prefix = part === 'body' ? '' : `/${part}`;
    return { path: `${prefix}${base}${extra}`, message };
  });
