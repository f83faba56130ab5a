import { randomUUID } from 'node:crypto';
import type {
  AgentSessionEventWebhookPayload,
  EntityWebhookPayloadWithCommentData,
  EntityWebhookPayloadWithIssueData,
} from '@linear/sdk/webhooks';
import type { FakeIssue, FakeUser } from './linear-state.ts';

/*
 * Webhook bodies as Linear sends them, typed with the SDK's own webhook payload types.
 * `webhookTimestamp` is set again by `deliverWebhook` at delivery time.
 */

const ORGANIZATION_ID = 'org-acme';

function actorOf(user: FakeUser) {
  return {
    id: user.id,
    name: user.name,
    email: `${user.id}@example.com`,
    type: 'user',
    url: `https://linear.app/acme/profiles/${user.id}`,
  };
}

function childUser(user: FakeUser) {
  return {
    id: user.id,
    name: user.name,
    email: `${user.id}@example.com`,
    url: `https://linear.app/acme/profiles/${user.id}`,
  };
}

function teamOf(issue: FakeIssue) {
  return { id: `team-${issue.teamKey}`, key: issue.teamKey, name: `Team ${issue.teamKey}` };
}

/** An Issue `update` (or `create`) event; `previousLabelIds` becomes `updatedFrom.labelIds` when given. */
export function issueEvent(
  issue: FakeIssue,
  options: { actor: FakeUser; action?: 'create' | 'update'; previousLabelIds?: string[] },
): EntityWebhookPayloadWithIssueData {
  const now = new Date().toISOString();
  const number = Number(issue.identifier.split('-')[1] ?? '1');
  return {
    action: options.action ?? 'update',
    type: 'Issue',
    actor: actorOf(options.actor),
    createdAt: new Date(now),
    organizationId: ORGANIZATION_ID,
    url: issue.url,
    webhookId: randomUUID(),
    webhookTimestamp: Date.now(),
    ...(options.previousLabelIds
      ? { updatedFrom: { labelIds: options.previousLabelIds, updatedAt: now } }
      : {}),
    data: {
      id: issue.id,
      identifier: issue.identifier,
      title: issue.title,
      description: issue.description,
      url: issue.url,
      number,
      createdAt: now,
      updatedAt: now,
      labelIds: issue.labels.map((label) => label.id),
      labels: issue.labels.map((label) => ({ ...label, color: '#5e6ad2' })),
      previousIdentifiers: [],
      priority: issue.priority,
      priorityLabel: 'No priority',
      prioritySortOrder: 0,
      sortOrder: 0,
      reactionData: {},
      releases: [],
      subscriberIds: [],
      state: { id: issue.stateId, name: issue.stateName, color: '#bec2c8', type: 'unstarted' },
      stateId: issue.stateId,
      team: teamOf(issue),
      teamId: `team-${issue.teamKey}`,
      ...(issue.projectId
        ? {
            projectId: issue.projectId,
            project: { id: issue.projectId, name: issue.projectName ?? issue.projectId, url: issue.url },
          }
        : {}),
      ...(issue.creator ? { creatorId: issue.creator.id } : {}),
    },
  };
}

export function commentCreatedEvent(
  issue: FakeIssue,
  comment: { id?: string; body: string; user: FakeUser },
): EntityWebhookPayloadWithCommentData {
  const now = new Date().toISOString();
  return {
    action: 'create',
    type: 'Comment',
    actor: actorOf(comment.user),
    createdAt: new Date(now),
    organizationId: ORGANIZATION_ID,
    url: `${issue.url}#comment-1`,
    webhookId: randomUUID(),
    webhookTimestamp: Date.now(),
    data: {
      id: comment.id ?? randomUUID(),
      body: comment.body,
      createdAt: now,
      updatedAt: now,
      reactionData: {},
      issueId: issue.id,
      issue: {
        id: issue.id,
        identifier: issue.identifier,
        title: issue.title,
        url: issue.url,
        team: teamOf(issue),
        teamId: `team-${issue.teamKey}`,
      },
      user: childUser(comment.user),
      userId: comment.user.id,
    },
  };
}

export interface AgentSessionEventOptions {
  action: 'created' | 'prompted';
  agentSessionId: string;
  creator: FakeUser;
  /** The comment that mentioned or delegated to the agent (for `created`). */
  comment?: { id: string; body: string };
  /** The user's new message (for `prompted`); `signal: 'stop'` asks the agent to stop. */
  activity?: { id?: string; body: string; signal?: string };
  promptContext?: string;
}

export function agentSessionEvent(
  issue: FakeIssue,
  options: AgentSessionEventOptions,
): AgentSessionEventWebhookPayload {
  const now = new Date().toISOString();
  return {
    type: 'AgentSessionEvent',
    action: options.action,
    appUserId: 'user-baton',
    createdAt: new Date(now),
    oauthClientId: 'oauth-client-baton',
    organizationId: ORGANIZATION_ID,
    webhookId: randomUUID(),
    webhookTimestamp: Date.now(),
    ...(options.promptContext ? { promptContext: options.promptContext } : {}),
    agentSession: {
      id: options.agentSessionId,
      appUserId: 'user-baton',
      createdAt: now,
      updatedAt: now,
      organizationId: ORGANIZATION_ID,
      status: 'pending',
      type: 'commentThread',
      creator: childUser(options.creator),
      creatorId: options.creator.id,
      issueId: issue.id,
      issue: {
        id: issue.id,
        identifier: issue.identifier,
        title: issue.title,
        description: issue.description,
        url: issue.url,
        team: teamOf(issue),
        teamId: `team-${issue.teamKey}`,
      },
      ...(options.comment
        ? {
            commentId: options.comment.id,
            comment: {
              id: options.comment.id,
              body: options.comment.body,
              issueId: issue.id,
              userId: options.creator.id,
            },
          }
        : {}),
    },
    ...(options.activity
      ? {
          agentActivity: {
            id: options.activity.id ?? randomUUID(),
            agentSessionId: options.agentSessionId,
            content: { type: 'prompt', body: options.activity.body },
            createdAt: now,
            updatedAt: now,
            user: childUser(options.creator),
            userId: options.creator.id,
            ...(options.activity.signal ? { signal: options.activity.signal } : {}),
          },
        }
      : {}),
  };
}
