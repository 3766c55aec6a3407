import type { CompiledQuery, Compilable, QueryResult } from 'kysely';

/** What runs a compiled query: a Kysely instance or a transaction. */
export interface QueryRunner {
  executeQuery<R>(query: CompiledQuery<R>): Promise<QueryResult<R>>;
}

/** Marks a parameter slot while the query is built: no real value starts with a NUL and this text. */
const MARK = '\u0000prepared-parameter:';

type Slot = { name: string } | { value: unknown };

/**
 * A query built and compiled by Kysely once, then run with new values in its parameter slots. Building and
 * compiling cost more CPU than SQLite's own work for the short queries a drained event runs about a dozen times
 * (`npm run bench -- --profile`, drain: ~12% of the worker's CPU in Kysely's builder and compiler).
 *
 * `build` gets a stand-in for the values: every property read off it is a placeholder that must end up as a bound
 * parameter (a value in `where`, `values`, `set`, or `${}` in `sql`), never in the SQL text (`sql.lit`, an
 * identifier). Queries whose shape depends on the values (lists, optional columns) need one prepared query per
 * shape.
 */
export function prepareQuery<P extends object, R>(
  runner: QueryRunner,
  build: (values: P) => Compilable<R>,
): (values: P) => Promise<QueryResult<R>> {
  let compiled: { query: CompiledQuery<R>; slots: Slot[] } | undefined;
  return async (values) => {
    compiled ??= compile(build);
    const parameters = compiled.slots.map((slot) => {
      if ('value' in slot) return slot.value;
      const value = (values as Record<string, unknown>)[slot.name];
      if (value === undefined) throw new Error(`Prepared query parameter "${slot.name}" is undefined`);
      return value;
    });
    const { query, queryId, sql } = compiled.query;
    return runner.executeQuery<R>({ query, queryId, sql, parameters });
  };
}

function compile<P, R>(build: (values: P) => Compilable<R>): { query: CompiledQuery<R>; slots: Slot[] } {
  const names = new Set<string>();
  const placeholders = new Proxy({} as Record<string, string>, {
    get: (_target, name) => {
      if (typeof name !== 'string') return undefined;
      names.add(name);
      return `${MARK}${name}`;
    },
  }) as P;
  const query = build(placeholders).compile();
  if (query.sql.includes(MARK)) throw new Error('A prepared query parameter ended up in the SQL text, not in a bound slot');
  const slots = query.parameters.map((value): Slot =>
    typeof value === 'string' && value.startsWith(MARK) ? { name: value.slice(MARK.length) } : { value },
  );
  for (const name of names) {
    if (!slots.some((s) => 'name' in s && s.name === name)) {
      throw new Error(`Prepared query parameter "${name}" is not a bound slot of the query`);
    }
  }
  return { query, slots };
}
