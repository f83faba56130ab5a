import type { SqlClient, SqlExecutor } from '../../../src/store/index.ts';

/** What happens to the transaction when a statement matching `pattern` is about to run. */
export type Fault = (tx: SqlExecutor) => Promise<void>;

/**
 * The store's real client, with a fault armed on intake's transaction: the next statement that
 * matches runs `fault` first (a seam argument; every statement still goes to the real database).
 */
export function faultable(sql: SqlClient) {
  let armed: { pattern: RegExp; fault: Fault } | undefined;
  const executorOf = (tx: SqlExecutor): SqlExecutor => ({
    async query(text, params) {
      const current = armed;
      if (current?.pattern.test(text)) {
        armed = undefined;
        await current.fault(tx);
      }
      return tx.query(text, params);
    },
    exec: (text) => tx.exec(text),
  });
  const client: SqlClient = { ...sql, transaction: (fn) => sql.transaction((tx) => fn(executorOf(tx))) };
  return {
    client,
    arm(pattern: RegExp, fault: Fault) {
      armed = { pattern, fault };
    },
  };
}

/** The connection went away under the statement. */
export const connectionReset: Fault = async () => {
  throw new Error('connection reset');
};
