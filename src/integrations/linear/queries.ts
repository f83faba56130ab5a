import type { LinearDocument as L } from '@linear/sdk';

/*
 * Reads go through one hand-written query each instead of the SDK's model objects: those fetch
 * every nested field (team, labels, comments, each comment's author) with a request of its own.
 * The result types are built from the SDK's generated schema types so a renamed field fails to
 * compile here and in the fake.
 */

type UserRef = Pick<L.User, 'id' | 'name' | 'displayName'>;

export interface IssueQueryIssue
  extends Pick<
    L.Issue,
    'id' | 'identifier' | 'title' | 'description' | 'url' | 'priority' | 'priorityLabel'
  > {
  creator?: UserRef | null;
  team: Pick<L.Team, 'id' | 'key' | 'name'>;
  state: Pick<L.WorkflowState, 'id' | 'name' | 'type'>;
  project?: Pick<L.Project, 'id' | 'name'> | null;
  labels: { nodes: Pick<L.IssueLabel, 'id' | 'name'>[] };
  comments: { nodes: (Pick<L.Comment, 'id' | 'body' | 'createdAt'> & { user?: UserRef | null })[] };
  attachments: { nodes: Pick<L.Attachment, 'id' | 'title' | 'subtitle' | 'url'>[] };
}

export interface IssueQueryResult {
  issue: IssueQueryIssue;
}

/** Comments and attachments past these counts are left out; the agent sees the newest issue state. */
export const COMMENT_LIMIT = 100;
export const ATTACHMENT_LIMIT = 50;

/** `issue(id:)` accepts both the UUID and the `ENG-123` identifier. */
export const ISSUE_QUERY = `query BatonIssue($id: String!) {
  issue(id: $id) {
    id
    identifier
    title
    description
    url
    priority
    priorityLabel
    creator { id name displayName }
    team { id key name }
    state { id name type }
    project { id name }
    labels(first: 50) { nodes { id name } }
    comments(first: ${COMMENT_LIMIT}) { nodes { id body createdAt user { id name displayName } } }
    attachments(first: ${ATTACHMENT_LIMIT}) { nodes { id title subtitle url } }
  }
}`;

export interface IssueStatesQueryResult {
  issue: Pick<L.Issue, 'id'> & {
    team: Pick<L.Team, 'id' | 'key'> & {
      states: { nodes: Pick<L.WorkflowState, 'id' | 'name' | 'type'>[] };
    };
  };
}

export const ISSUE_STATES_QUERY = `query BatonIssueStates($id: String!) {
  issue(id: $id) {
    id
    team {
      id
      key
      states(first: 100) { nodes { id name type } }
    }
  }
}`;

export interface ViewerQueryResult {
  viewer: UserRef;
}

export const VIEWER_QUERY = `query BatonViewer {
  viewer { id name displayName }
}`;
