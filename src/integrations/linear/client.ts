import { LinearClient as LinearSdkClient } from '@linear/sdk';
import { BatonError } from '../../observability/errors.ts';
import type { Logger } from '../../observability/logger.ts';
import { toLinearBatonError } from './linear-errors.ts';
import {
  ISSUE_QUERY,
  ISSUE_STATES_QUERY,
  type IssueQueryIssue,
  type IssueQueryResult,
  type IssueStatesQueryResult,
  VIEWER_QUERY,
  type ViewerQueryResult,
} from './queries.ts';

export interface LinearPerson {
  id: string;
  name: string;
}

export interface LinearComment {
  id: string;
  body: string;
  createdAt: string;
  /** Null for comments written by integrations without a user. */
  author: LinearPerson | null;
}

/** Everything Baton reads about an issue, as plain data. */
export interface LinearIssue {
  id: string;
  identifier: string;
  title: string;
  description: string;
  url: string;
  /** 0 none, 1 urgent, 2 high, 3 medium, 4 low. */
  priority: number;
  priorityLabel: string;
  creator: LinearPerson | null;
  team: { id: string; key: string; name: string };
  state: { id: string; name: string; type: string };
  project: { id: string; name: string } | null;
  labels: { id: string; name: string }[];
  /** Oldest first. */
  comments: LinearComment[];
  links: { id: string; title: string; subtitle: string | null; url: string }[];
}

/** What an agent activity says; see Linear's agent-interaction docs for each type. */
export type LinearActivityContent =
  | { type: 'thought'; body: string }
  | { type: 'action'; action: string; parameter: string; result?: string }
  | { type: 'response'; body: string }
  | { type: 'error'; body: string }
  | { type: 'elicitation'; body: string };

export interface LinearClient {
  /** The user (or app user) the API key belongs to. */
  viewer(): Promise<LinearPerson>;
  getIssue(idOrKey: string): Promise<LinearIssue>;
  comment(issueId: string, body: string): Promise<{ id: string }>;
  /** Linear keeps one attachment per URL and issue, so attaching again updates it. */
  attachPullRequest(issueId: string, pullRequest: { url: string; title: string }): Promise<{ id: string }>;
  /** Moves the issue to its team's workflow state of that name (case-insensitive). */
  moveToState(issueId: string, stateName: string): Promise<{ stateId: string; stateName: string }>;
  agentActivity(
    agentSessionId: string,
    content: LinearActivityContent,
    options?: { ephemeral?: boolean },
  ): Promise<{ id: string }>;
}

export interface LinearClientOptions {
  apiKey: string;
  /** Defaults to https://api.linear.app/graphql; plain http is accepted only for loopback hosts. */
  apiUrl?: string;
  log: Logger;
}

export function createLinearClient(options: LinearClientOptions): LinearClient {
  const sdk = createSdkClient(options);
  const log = options.log.child({ component: 'linear-client' });

  async function call<T>(action: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      const batonError = toLinearBatonError(error, action);
      log.warn({ code: batonError.code, err: batonError }, 'linear request failed');
      throw batonError;
    }
  }

  async function query<T>(action: string, document: string, variables: Record<string, unknown>): Promise<T> {
    return call(action, async () => {
      const response = await sdk.client.rawRequest<T, Record<string, unknown>>(document, variables);
      if (!response.data)
        throw new BatonError({ code: 'linear_empty_response', message: `Linear sent no data.` });
      return response.data;
    });
  }

  return {
    async viewer() {
      const data = await query<ViewerQueryResult>('read the API key owner', VIEWER_QUERY, {});
      return { id: data.viewer.id, name: data.viewer.displayName || data.viewer.name };
    },

    async getIssue(idOrKey) {
      const data = await query<IssueQueryResult>(`read issue ${idOrKey}`, ISSUE_QUERY, { id: idOrKey });
      return toIssue(data.issue);
    },

    async comment(issueId, body) {
      const payload = await call('comment on the issue', () => sdk.createComment({ issueId, body }));
      return { id: requireId(payload.commentId, 'comment') };
    },

    async attachPullRequest(issueId, pullRequest) {
      const payload = await call('attach the pull request', () =>
        sdk.attachmentLinkURL(issueId, pullRequest.url, { title: pullRequest.title }),
      );
      return { id: requireId(payload.attachmentId, 'attachment') };
    },

    async moveToState(issueId, stateName) {
      const data = await query<IssueStatesQueryResult>('read the workflow states', ISSUE_STATES_QUERY, {
        id: issueId,
      });
      const states = data.issue.team.states.nodes;
      const wanted = stateName.trim().toLowerCase();
      const state = states.find((candidate) => candidate.name.toLowerCase() === wanted);
      if (!state) {
        throw new BatonError({
          code: 'linear_unknown_state',
          message: `Team ${data.issue.team.key} has no workflow state named "${stateName}".`,
          hint: `Set linear.reviewState to one of: ${states.map((candidate) => candidate.name).join(', ')}.`,
        });
      }
      await call(`move the issue to ${state.name}`, () =>
        sdk.updateIssue(data.issue.id, { stateId: state.id }),
      );
      return { stateId: state.id, stateName: state.name };
    },

    async agentActivity(agentSessionId, content, activityOptions = {}) {
      const payload = await call(`post a ${content.type} activity`, () =>
        sdk.createAgentActivity({
          agentSessionId,
          content,
          ...(activityOptions.ephemeral ? { ephemeral: true } : {}),
        }),
      );
      return { id: requireId(payload.agentActivityId, 'agent activity') };
    },
  };
}

function createSdkClient(options: LinearClientOptions): LinearSdkClient {
  try {
    return new LinearSdkClient({
      apiKey: options.apiKey,
      ...(options.apiUrl ? { apiUrl: options.apiUrl } : {}),
    });
  } catch (error) {
    throw new BatonError({
      code: 'linear_config_invalid',
      message: error instanceof Error ? error.message : String(error),
      hint: 'Set LINEAR_API_KEY, and an https LINEAR_API_URL (plain http only for localhost).',
      cause: error,
    });
  }
}

function requireId(id: string | undefined, what: string): string {
  if (!id) {
    throw new BatonError({
      code: 'linear_empty_response',
      message: `Linear did not return the ${what} it created.`,
      retryable: true,
    });
  }
  return id;
}

function toIssue(issue: IssueQueryIssue): LinearIssue {
  const person = (user: { id: string; name: string; displayName: string } | null | undefined) =>
    user ? { id: user.id, name: user.displayName || user.name } : null;
  return {
    id: issue.id,
    identifier: issue.identifier,
    title: issue.title,
    description: issue.description ?? '',
    url: issue.url,
    priority: issue.priority,
    priorityLabel: issue.priorityLabel,
    creator: person(issue.creator),
    team: { id: issue.team.id, key: issue.team.key, name: issue.team.name },
    state: { id: issue.state.id, name: issue.state.name, type: issue.state.type },
    project: issue.project ? { id: issue.project.id, name: issue.project.name } : null,
    labels: issue.labels.nodes.map((label) => ({ id: label.id, name: label.name })),
    comments: issue.comments.nodes
      .map((comment) => ({
        id: comment.id,
        body: comment.body,
        createdAt: String(comment.createdAt),
        author: person(comment.user),
      }))
      .sort((left, right) => left.createdAt.localeCompare(right.createdAt)),
    links: issue.attachments.nodes.map((attachment) => ({
      id: attachment.id,
      title: attachment.title,
      subtitle: attachment.subtitle ?? null,
      url: attachment.url,
    })),
  };
}
