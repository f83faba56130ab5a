import { randomUUID } from 'node:crypto';
import type { LinearDocument as L } from '@linear/sdk';
import type {
  IssueQueryIssue,
  IssueStatesQueryResult,
  ViewerQueryResult,
} from '../../src/integrations/linear/queries.ts';
import { invalidInput, type RootResolver, type Variables } from './linear-graphql.ts';
import {
  type FakeActivity,
  type FakeAttachment,
  type FakeComment,
  type FakeIssue,
  type FakeIssueInput,
  type FakeUser,
  type FakeWorkflowState,
  objectArg,
  stringArg,
  validateActivityContent,
} from './linear-records.ts';

export type {
  FakeActivity,
  FakeAttachment,
  FakeComment,
  FakeIssue,
  FakeIssueInput,
  FakeUser,
  FakeWorkflowState,
} from './linear-records.ts';

const DEFAULT_STATES: readonly [string, string][] = [
  ['Backlog', 'backlog'],
  ['Todo', 'unstarted'],
  ['In Progress', 'started'],
  ['In Review', 'started'],
  ['Done', 'completed'],
  ['Canceled', 'canceled'],
];

const PRIORITY_LABELS = ['No priority', 'Urgent', 'High', 'Medium', 'Low'];

/** The fake's data and the GraphQL root fields that read and change it. */
export class FakeLinearState {
  readonly viewer: FakeUser = { id: 'user-baton', name: 'Baton' };
  readonly issues = new Map<string, FakeIssue>();
  readonly comments: FakeComment[] = [];
  readonly attachments: FakeAttachment[] = [];
  readonly activities: FakeActivity[] = [];
  readonly agentSessions = new Map<string, { id: string; issueId: string }>();
  private readonly teamStates = new Map<string, FakeWorkflowState[]>();
  private clockMs = Date.parse('2025-01-01T00:00:00.000Z');

  addIssue(input: FakeIssueInput): FakeIssue {
    const states = this.statesOf(input.teamKey);
    const state = states.find((candidate) => candidate.name === input.stateName) ?? states[0];
    if (!state) throw new Error('team without states');
    const issue: FakeIssue = {
      id: input.id,
      identifier: input.identifier,
      title: input.title,
      description: input.description ?? '',
      teamKey: input.teamKey,
      labels: input.labels ?? [],
      priority: input.priority ?? 0,
      url: input.url ?? `https://linear.app/acme/issue/${input.identifier}`,
      projectId: input.projectId,
      projectName: input.projectName ?? (input.projectId ? `Project ${input.projectId}` : undefined),
      creator: input.creator,
      stateId: state.id,
      stateName: state.name,
    };
    this.issues.set(issue.id, issue);
    for (const comment of input.comments ?? []) {
      this.comments.push({
        id: comment.id ?? randomUUID(),
        issueId: issue.id,
        body: comment.body,
        user: comment.user === undefined ? null : comment.user,
        createdAt: comment.createdAt ?? this.nextTimestamp(),
      });
    }
    return issue;
  }

  addAgentSession(session: { id: string; issueId: string }): void {
    this.agentSessions.set(session.id, session);
  }

  statesOf(teamKey: string): FakeWorkflowState[] {
    let states = this.teamStates.get(teamKey);
    if (!states) {
      states = DEFAULT_STATES.map(([name, type]) => ({ id: `state-${teamKey}-${type}-${name}`, name, type }));
      this.teamStates.set(teamKey, states);
    }
    return states;
  }

  findIssue(idOrKey: string): FakeIssue {
    const issue =
      this.issues.get(idOrKey) ??
      [...this.issues.values()].find((candidate) => candidate.identifier === idOrKey);
    if (!issue) throw invalidInput('Entity not found: Issue - Could not find referenced Issue.');
    return issue;
  }

  roots(): Record<string, RootResolver> {
    return {
      viewer: () => this.viewerGraph(),
      issue: (args) => this.issueGraph(this.findIssue(stringArg(args, 'id'))),
      commentCreate: (args) => this.commentCreate(objectArg(args, 'input')),
      attachmentLinkURL: (args) => this.attachmentLinkUrl(args),
      issueUpdate: (args) => this.issueUpdate(stringArg(args, 'id'), objectArg(args, 'input')),
      agentActivityCreate: (args) => this.agentActivityCreate(objectArg(args, 'input')),
    };
  }

  private viewerGraph(): ViewerQueryResult['viewer'] {
    return { id: this.viewer.id, name: this.viewer.name, displayName: this.viewer.name.toLowerCase() };
  }

  /** The complete object graph of an issue: every field any Baton query selects. */
  private issueGraph(
    issue: FakeIssue,
  ): IssueQueryIssue & { team: IssueQueryIssue['team'] & IssueStatesQueryResult['issue']['team'] } {
    const user = (person: FakeUser | null | undefined) =>
      person ? { id: person.id, name: person.name, displayName: person.name.toLowerCase() } : null;
    const state = this.statesOf(issue.teamKey).find((candidate) => candidate.id === issue.stateId);
    if (!state) throw new Error('issue in an unknown state');
    return {
      id: issue.id,
      identifier: issue.identifier,
      title: issue.title,
      description: issue.description,
      url: issue.url,
      priority: issue.priority,
      priorityLabel: PRIORITY_LABELS[issue.priority] ?? 'No priority',
      creator: user(issue.creator),
      team: {
        id: `team-${issue.teamKey}`,
        key: issue.teamKey,
        name: `Team ${issue.teamKey}`,
        states: { nodes: this.statesOf(issue.teamKey).map((candidate) => ({ ...candidate })) },
      },
      state: { id: state.id, name: state.name, type: state.type },
      project: issue.projectId ? { id: issue.projectId, name: issue.projectName ?? issue.projectId } : null,
      labels: { nodes: issue.labels.map((label) => ({ ...label })) },
      comments: {
        nodes: this.comments
          .filter((comment) => comment.issueId === issue.id)
          .map((comment) => ({
            id: comment.id,
            body: comment.body,
            createdAt: new Date(comment.createdAt),
            user: user(comment.user),
          })),
      },
      attachments: {
        nodes: this.attachments
          .filter((attachment) => attachment.issueId === issue.id)
          .map((attachment) => ({
            id: attachment.id,
            title: attachment.title,
            subtitle: attachment.subtitle,
            url: attachment.url,
          })),
      },
    };
  }

  private commentCreate(input: Variables): L.CommentPayloadFragment {
    const issue = this.findIssue(stringArg(input, 'issueId'));
    const comment: FakeComment = {
      id: randomUUID(),
      issueId: issue.id,
      body: stringArg(input, 'body'),
      user: this.viewer,
      createdAt: this.nextTimestamp(),
    };
    this.comments.push(comment);
    return {
      __typename: 'CommentPayload',
      comment: { id: comment.id },
      lastSyncId: this.sync(),
      success: true,
    };
  }

  private attachmentLinkUrl(args: Variables): L.AttachmentPayloadFragment {
    const issue = this.findIssue(stringArg(args, 'issueId'));
    const url = stringArg(args, 'url');
    const title = typeof args.title === 'string' ? args.title : url;
    // Linear keeps one attachment per URL on an issue: linking it again updates the existing one.
    let attachment = this.attachments.find(
      (candidate) => candidate.issueId === issue.id && candidate.url === url,
    );
    if (attachment) attachment.title = title;
    else {
      attachment = { id: randomUUID(), issueId: issue.id, url, title, subtitle: null };
      this.attachments.push(attachment);
    }
    return {
      __typename: 'AttachmentPayload',
      attachment: { id: attachment.id },
      lastSyncId: this.sync(),
      success: true,
    };
  }

  private issueUpdate(id: string, input: Variables): L.IssuePayloadFragment {
    const issue = this.findIssue(id);
    if (input.stateId !== undefined) {
      const state = this.statesOf(issue.teamKey).find((candidate) => candidate.id === input.stateId);
      if (!state)
        throw invalidInput('Entity not found: WorkflowState - Could not find referenced WorkflowState.');
      issue.stateId = state.id;
      issue.stateName = state.name;
    }
    return { __typename: 'IssuePayload', issue: { id: issue.id }, lastSyncId: this.sync(), success: true };
  }

  private agentActivityCreate(input: Variables): L.AgentActivityPayloadFragment {
    const agentSessionId = stringArg(input, 'agentSessionId');
    if (!this.agentSessions.has(agentSessionId)) {
      throw invalidInput('Entity not found: AgentSession - Could not find referenced AgentSession.');
    }
    const content = objectArg(input, 'content');
    validateActivityContent(content);
    const activity: FakeActivity = {
      id: randomUUID(),
      agentSessionId,
      content,
      ephemeral: input.ephemeral === true,
    };
    this.activities.push(activity);
    return {
      __typename: 'AgentActivityPayload',
      agentActivity: { id: activity.id },
      lastSyncId: this.sync(),
      success: true,
    };
  }

  private syncId = 1000;
  private sync(): number {
    this.syncId += 1;
    return this.syncId;
  }

  private nextTimestamp(): string {
    this.clockMs += 60_000;
    return new Date(this.clockMs).toISOString();
  }
}
