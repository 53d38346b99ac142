import type { Compilable, CompiledQuery } from 'kysely';
import { prepared } from './pool.js';

/** Whether two statement parameters are the same value (dates by instant, arrays by element). */
const sameValue = (a: unknown, b: unknown): boolean => {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((value, i) => sameValue(value, b[i]));
  }
  return Object.is(a, b);
};

/**
 * Hot statements, built and compiled once. Building a Kysely query and compiling it costs tens of
 * microseconds, and a login's transaction runs five statements; the repositories of one unit of
 * work share one cache across all its transactions, so a login builds none of them.
 *
 * A statement is cached under its `name` with the text its first `build` compiled; every call
 * passes its values as `parameters`, in the order the statement binds them. The first call
 * compares them with the values `build` compiled and throws on a mismatch, so a list in the
 * wrong order fails the first test that runs the statement. Only for statements whose text
 * never depends on the values (no optional columns, no `in` lists); a plugin of the Kysely
 * instance sees each statement once. The statements are marked `prepared()`.
 */
export class StatementCache {
  readonly #compiled = new Map<string, CompiledQuery<unknown>>();

  /** @returns `name`'s statement bound to `parameters`. */
  get<R>(
    name: string,
    parameters: readonly unknown[],
    build: () => Compilable<R>,
  ): CompiledQuery<R> {
    const cached = this.#compiled.get(name) as CompiledQuery<R> | undefined;
    if (cached !== undefined) return { ...cached, parameters };
    const query = build().compile();
    if (
      query.parameters.length !== parameters.length ||
      !query.parameters.every((value, i) => sameValue(value, parameters[i]))
    ) {
      throw new Error(`statement ${name}: the parameters do not match the compiled query's`);
    }
    this.#compiled.set(name, prepared(query));
    return query;
  }
}
