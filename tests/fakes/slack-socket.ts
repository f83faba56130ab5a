import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { EnvelopedEvent, SlashCommand } from '@slack/bolt';
import { type WebSocket, WebSocketServer } from 'ws';
import type { FakeSlackWorld } from './slack-state.ts';

/** What Slack sends over a Socket Mode connection, tagged on `type` like the wire messages. */
export type SocketDelivery =
  | { type: 'events_api'; payload: EnvelopedEvent; retryAttempt?: number; retryReason?: string }
  | { type: 'slash_commands'; payload: SlashCommand }
  | { type: 'interactive'; payload: object };

export interface SocketAck {
  envelope_id: string;
  /** The `payload` the app sent back with its ack (empty object when none). */
  payload: unknown;
}

export interface FakeSocketMode {
  /** Open connections; a test waits for 1 before delivering. */
  connectionCount(): number;
  send(delivery: SocketDelivery, options?: { timeoutMs?: number }): Promise<SocketAck>;
  /**
   * Slack's behaviour for an envelope the app does not ack in time: the same event again, with
   * `retry_attempt` counting up and `retry_reason: timeout`, until one is acked or `redeliveries` ran out.
   */
  deliverUntilAcked(
    delivery: Extract<SocketDelivery, { type: 'events_api' }>,
    options: { ackWithinMs: number; redeliveries: number },
  ): Promise<{ attempts: number; ack?: SocketAck }>;
  acks: SocketAck[];
  close(): Promise<void>;
}

/** The Socket Mode side of the fake: `ws://…/link?ticket=…` handed out by apps.connections.open. */
export function attachSocketMode(server: Server, world: FakeSlackWorld, appId: string): FakeSocketMode {
  const sockets = new WebSocketServer({ noServer: true });
  const open: WebSocket[] = [];
  const acks: SocketAck[] = [];
  const waiting = new Map<string, (ack: SocketAck) => void>();

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const ticket = url.searchParams.get('ticket') ?? '';
    if (url.pathname !== '/link' || !world.tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(request, socket, head, (connection) => {
      open.push(connection);
      connection.on('close', () => open.splice(open.indexOf(connection), 1));
      connection.on('message', (data) => {
        let parsed: { envelope_id?: unknown; payload?: unknown };
        try {
          parsed = JSON.parse(data.toString());
        } catch {
          return;
        }
        if (typeof parsed.envelope_id !== 'string') return;
        const ack: SocketAck = { envelope_id: parsed.envelope_id, payload: parsed.payload ?? {} };
        acks.push(ack);
        waiting.get(ack.envelope_id)?.(ack);
        waiting.delete(ack.envelope_id);
      });
      connection.send(
        JSON.stringify({
          type: 'hello',
          num_connections: open.length,
          debug_info: { host: 'fake-applink', build_number: 1, approximate_connection_time: 18060 },
          connection_info: { app_id: appId },
        }),
      );
    });
  });

  const api: FakeSocketMode = {
    acks,
    connectionCount: () => open.length,
    async deliverUntilAcked(delivery, options) {
      for (let attempt = 0; attempt <= options.redeliveries; attempt += 1) {
        const retry = attempt === 0 ? {} : { retryAttempt: attempt, retryReason: 'timeout' };
        try {
          const ack = await api.send({ ...delivery, ...retry }, { timeoutMs: options.ackWithinMs });
          return { attempts: attempt + 1, ack };
        } catch (error) {
          if (!(error instanceof Error) || !error.message.startsWith('fake Slack: no ack')) throw error;
        }
      }
      return { attempts: options.redeliveries + 1 };
    },
    send(delivery, options = {}) {
      const connection = open.at(-1);
      if (!connection) return Promise.reject(new Error('fake Slack: no Socket Mode connection is open'));
      const envelopeId = randomUUID();
      const message =
        delivery.type === 'events_api'
          ? {
              envelope_id: envelopeId,
              type: 'events_api',
              payload: delivery.payload,
              accepts_response_payload: false,
              retry_attempt: delivery.retryAttempt ?? 0,
              retry_reason: delivery.retryReason ?? '',
            }
          : {
              envelope_id: envelopeId,
              type: delivery.type,
              payload: delivery.payload,
              accepts_response_payload: true,
            };
      return new Promise<SocketAck>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(envelopeId);
          reject(new Error(`fake Slack: no ack for envelope ${envelopeId}`));
        }, options.timeoutMs ?? 10_000);
        waiting.set(envelopeId, (ack) => {
          clearTimeout(timer);
          resolve(ack);
        });
        connection.send(JSON.stringify(message));
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const connection of open) connection.terminate();
        sockets.close(() => resolve());
      }),
  };
  return api;
}
