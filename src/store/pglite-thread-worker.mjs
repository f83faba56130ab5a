// The embedded database on a thread of its own: PGlite runs Postgres compiled to WebAssembly, and
// every statement is synchronous CPU work. Off the gateway's event loop, a slow statement delays
// only the requests that wait for it, not every ack. Plain JavaScript: a worker thread does not get
// the TypeScript loader of the process that starts it.
//
// Protocol (one connection, so one transaction at a time): the parent posts
//   { id, op: 'query' | 'exec', sql, params?, tx? } and { id, op: 'begin' | 'commit' | 'rollback', tx }
// and gets { id, rows } / { id, ok: true } or { id, error: { message, code, detail } } back;
// { id, op: 'listen' | 'unlisten', channel } subscribes to NOTIFY (pg-boss wakes its pollers with it).
// Statements outside a transaction wait while one is open, as they would for a pooled connection.
import { mkdir } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

const port = parentPort;
if (!port) throw new Error('pglite-thread-worker runs as a worker thread');

let database;
try {
  if (workerData.dataDir) await mkdir(workerData.dataDir, { recursive: true });
  database = await PGlite.create(workerData.dataDir ? { dataDir: workerData.dataDir } : {});
  port.postMessage({ ready: true });
} catch (error) {
  port.postMessage({ ready: false, error: describe(error) });
}

/** LISTEN subscriptions by channel: their notifications go to the parent as `{ notification, payload }`. */
const subscriptions = new Map();

/** The open transaction's id, or null; messages for other work wait in `waiting`. */
let current = null;
const waiting = [];

port.on('message', (message) => {
  if (message.op === 'close') {
    void database.close().then(() => port.postMessage({ id: message.id, ok: true }));
    return;
  }
  if (current !== null && message.tx !== current) {
    waiting.push(message);
    return;
  }
  start(message);
});

function start(message) {
  if (message.op === 'begin') current = message.tx;
  void run(message).then((reply) => {
    port.postMessage({ id: message.id, ...reply });
    if ((message.op === 'commit' || message.op === 'rollback') && message.tx === current) {
      current = null;
      drain();
    }
  });
}

/** Runs what waited, in order, up to and including the next transaction's begin. */
function drain() {
  while (current === null && waiting.length > 0) start(waiting.shift());
}

async function run(message) {
  try {
    switch (message.op) {
      case 'query': {
        const result = await database.query(message.sql, message.params ?? []);
        return { rows: result.rows };
      }
      case 'exec': {
        const results = await database.exec(message.sql);
        return { rows: results.flatMap((result) => result.rows ?? []) };
      }
      case 'listen': {
        if (!subscriptions.has(message.channel)) {
          const unsubscribe = await database.listen(message.channel, (payload) =>
            port.postMessage({ notification: message.channel, payload }),
          );
          subscriptions.set(message.channel, unsubscribe);
        }
        return { ok: true };
      }
      case 'unlisten': {
        const unsubscribe = subscriptions.get(message.channel);
        subscriptions.delete(message.channel);
        await unsubscribe?.();
        return { ok: true };
      }
      case 'begin':
        await database.exec('BEGIN');
        return { ok: true };
      case 'commit':
        await database.exec('COMMIT');
        return { ok: true };
      case 'rollback':
        await database.exec('ROLLBACK');
        return { ok: true };
      default:
        return { error: { message: `unknown operation ${message.op}` } };
    }
  } catch (error) {
    // Outside a transaction of ours, a failed multi-statement block (pg-boss's BEGIN … COMMIT) must
    // not leave the one connection in an aborted transaction: a pool would discard the connection.
    if (message.tx === undefined) await database.exec('ROLLBACK').catch(() => {});
    return { error: describe(error) };
  }
}

function describe(error) {
  if (error instanceof Error) {
    return { message: error.message, code: error.code, detail: error.detail };
  }
  return { message: String(error) };
}
