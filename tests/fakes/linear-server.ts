import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  execute,
  type FakeGraphQLError,
  FakeGraphQLFailure,
  invalidInput,
  parseOperation,
  type Variables,
} from './linear-graphql.ts';
import {
  type FakeActivity,
  type FakeAttachment,
  type FakeComment,
  type FakeIssue,
  type FakeIssueInput,
  FakeLinearState,
  type FakeUser,
} from './linear-state.ts';

export interface RecordedLinearRequest {
  operationName: string;
  variables: Variables;
  authorization: string | undefined;
}

export interface WebhookDelivery {
  deliveryId: string;
  /** `webhookTimestamp` in ms; defaults to now. */
  timestamp?: number;
  /** Overrides the computed `Linear-Signature`. */
  signature?: string;
}

export interface FakeLinear {
  apiUrl: string;
  apiKey: string;
  webhookSecret: string;
  viewer: FakeUser;
  addIssue(input: FakeIssueInput): FakeIssue;
  addAgentSession(session: { id: string; issueId: string }): void;
  issue(id: string): FakeIssue;
  comments(issueId: string): FakeComment[];
  attachments(issueId: string): FakeAttachment[];
  activities(agentSessionId: string): FakeActivity[];
  readonly requests: RecordedLinearRequest[];
  /**
   * The next `count` GraphQL requests answer 500, as during an outage; with `operations`, only
   * requests whose operation name is one of them count (e.g. `attachmentLinkURL`, `createComment`).
   */
  failNextRequests(count: number, options?: { operations?: readonly string[] }): void;
  signWebhook(body: string): { 'linear-signature': string };
  deliverWebhook(
    url: string,
    payload: { type: string } & Record<string, unknown>,
    delivery: WebhookDelivery,
  ): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

export interface FakeLinearOptions {
  apiKey?: string;
  webhookSecret?: string;
}

/** A loopback Linear: GraphQL at `/graphql` for the real SDK, plus a signer that delivers webhooks. */
export async function startFakeLinear(options: FakeLinearOptions = {}): Promise<FakeLinear> {
  const apiKey = options.apiKey ?? `lin_api_${randomBytes(20).toString('hex')}`;
  const webhookSecret = options.webhookSecret ?? `lin_wh_${randomBytes(16).toString('hex')}`;
  const state = new FakeLinearState();
  const requests: RecordedLinearRequest[] = [];
  let failuresLeft = 0;
  let failingOperations: readonly string[] | undefined;

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      respond(response, 500, { errors: [internalError(String(error))] });
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== 'POST' || request.url?.split('?')[0] !== '/graphql') {
      respond(response, 404, { errors: [internalError('Not found')] });
      return;
    }
    const body = await readBody(request);
    const authorization = request.headers.authorization;
    let envelope: { query?: unknown; variables?: unknown };
    try {
      envelope = JSON.parse(body) as typeof envelope;
    } catch {
      respond(response, 400, { errors: [invalidInput('Body is not JSON.').error] });
      return;
    }
    const variables = (typeof envelope.variables === 'object' && envelope.variables) || {};
    let operationName = '';
    try {
      if (typeof envelope.query !== 'string') throw invalidInput('Missing query.');
      const parsed = parseOperation(envelope.query);
      operationName = parsed.name;
      requests.push({ operationName, variables: variables as Variables, authorization });
      // Linear takes a personal API key as the raw header value; `Bearer` is only for OAuth tokens.
      if (authorization !== apiKey) {
        respond(response, 400, { errors: [authenticationError()] });
        return;
      }
      if (failuresLeft > 0 && (!failingOperations || failingOperations.includes(operationName))) {
        failuresLeft -= 1;
        respond(response, 500, { errors: [internalError('Internal server error')] });
        return;
      }
      const data = execute(parsed, variables as Variables, state.roots());
      respond(response, 200, { data });
    } catch (error) {
      if (error instanceof FakeGraphQLFailure) respond(response, 200, { data: null, errors: [error.error] });
      else throw error;
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const sign = (body: string) => createHmac('sha256', webhookSecret).update(body).digest('hex');

  return {
    apiUrl: `http://127.0.0.1:${port}/graphql`,
    apiKey,
    webhookSecret,
    viewer: state.viewer,
    addIssue: (input) => state.addIssue(input),
    addAgentSession: (session) => state.addAgentSession(session),
    issue: (id) => state.findIssue(id),
    comments: (issueId) => state.comments.filter((comment) => comment.issueId === issueId),
    attachments: (issueId) => state.attachments.filter((attachment) => attachment.issueId === issueId),
    activities: (agentSessionId) =>
      state.activities.filter((activity) => activity.agentSessionId === agentSessionId),
    requests,
    failNextRequests(count, failOptions = {}) {
      failuresLeft = count;
      failingOperations = failOptions.operations;
    },
    signWebhook: (body) => ({ 'linear-signature': sign(body) }),
    async deliverWebhook(url, payload, delivery) {
      const body = JSON.stringify({ ...payload, webhookTimestamp: delivery.timestamp ?? Date.now() });
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'Linear-Webhook',
          'linear-delivery': delivery.deliveryId,
          'linear-event': payload.type,
          'linear-signature': delivery.signature ?? sign(body),
        },
        body,
      });
      return { status: response.status, body: await response.text() };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function authenticationError(): FakeGraphQLError {
  return {
    message: 'Authentication required, not authenticated',
    extensions: {
      type: 'authentication error',
      code: 'AUTHENTICATION_ERROR',
      userPresentableMessage: 'You need to authenticate to access this operation.',
    },
  };
}

function internalError(message: string): FakeGraphQLError {
  return { message, extensions: { type: 'internal error', code: 'INTERNAL_SERVER_ERROR' } };
}

function respond(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
