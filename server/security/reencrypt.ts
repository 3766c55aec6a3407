import type { Db } from '../db/database';
import type { SecretBox } from './secret-box';

/** Every sealed column, by table (SecretBox values; see schema.ts). */
const SEALED = {
  companies: { key: 'company_id', columns: ['access_token', 'refresh_token'] },
  locations: { key: 'location_id', columns: ['access_token', 'refresh_token'] },
  responder_connections: { key: 'location_id', columns: ['client_secret', 'user_token', 'access_token'] },
} as const;

type SealedTable = keyof typeof SEALED;

export interface ReencryptReport {
  /** Rows per table that had at least one value re-sealed. */
  rows: Record<SealedTable, number>;
  /** Values re-sealed under the current key. */
  values: number;
  /** Values already under the current key. */
  current: number;
  /** Values that changed between read and write (a token refresh raced us); they are sealed by the writer already. */
  raced: number;
}

const BATCH = 500;

/**
 * Re-seals every secret under the box's current key (old values are opened with its previous keys). Each value
 * is written only if it is still the one read (compare-and-set), so a token refresh running beside it is never
 * overwritten. Idempotent: a second run re-seals nothing, after which APP_ENCRYPTION_KEY_PREVIOUS can go.
 */
export async function reencryptAll(db: Db, box: SecretBox): Promise<ReencryptReport> {
  const report: ReencryptReport = {
    rows: { companies: 0, locations: 0, responder_connections: 0 },
    values: 0,
    current: 0,
    raced: 0,
  };
  for (const table of Object.keys(SEALED) as SealedTable[]) {
    const { key, columns } = SEALED[table];
    let after = '';
    for (;;) {
      // Kysely's types cannot follow a table chosen at run time; the names come from the constant above.
      const k = db.kysely as unknown as DynamicDb;
      const rows = (await k
        .selectFrom(table)
        .select([key, ...columns])
        .where(key, '>', after)
        .orderBy(key)
        .limit(BATCH)
        .execute()) as Array<Record<string, string | null>>;
      if (rows.length === 0) break;
      for (const row of rows) {
        const id = row[key]!;
        let changed = false;
        for (const column of columns) {
          const sealed = row[column];
          if (sealed == null) continue;
          if (!box.needsRotation(sealed)) {
            report.current += 1;
            continue;
          }
          const resealed = box.encrypt(box.decrypt(sealed));
          const result = await k
            .updateTable(table)
            .set({ [column]: resealed })
            .where(key, '=', id)
            .where(column, '=', sealed)
            .executeTakeFirst();
          if (Number(result.numUpdatedRows) === 1) {
            report.values += 1;
            changed = true;
          } else {
            report.raced += 1;
          }
        }
        if (changed) report.rows[table] += 1;
      }
      after = rows[rows.length - 1]![key]!;
    }
  }
  return report;
}

/** The minimal untyped query surface used above. */
interface DynamicDb {
  selectFrom(table: string): {
    select(columns: readonly string[]): {
      where(column: string, op: string, value: unknown): {
        orderBy(column: string): { limit(n: number): { execute(): Promise<unknown[]> } };
      };
    };
  };
  updateTable(table: string): {
    set(values: Record<string, unknown>): {
      where(column: string, op: string, value: unknown): {
        where(column: string, op: string, value: unknown): { executeTakeFirst(): Promise<{ numUpdatedRows: bigint }> };
      };
    };
  };
}
