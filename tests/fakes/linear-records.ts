import { invalidInput, type Variables } from './linear-graphql.ts';

/** The records the fake keeps, and the argument checks Linear applies to its mutations. */

export interface FakeUser {
  id: string;
  name: string;
}

export interface FakeIssueInput {
  id: string;
  identifier: string;
  title: string;
  description?: string;
  teamKey: string;
  labels?: { id: string; name: string }[];
  comments?: { id?: string; body: string; user?: FakeUser | null; createdAt?: string }[];
  priority?: number;
  url?: string;
  projectId?: string;
  projectName?: string;
  creator?: FakeUser;
  /** Initial workflow state name; defaults to the team's first state. */
  stateName?: string;
}

export interface FakeIssue {
  id: string;
  identifier: string;
  title: string;
  description: string;
  teamKey: string;
  labels: { id: string; name: string }[];
  priority: number;
  url: string;
  projectId: string | undefined;
  projectName: string | undefined;
  creator: FakeUser | undefined;
  stateId: string;
  stateName: string;
}

export interface FakeComment {
  id: string;
  issueId: string;
  body: string;
  user: FakeUser | null;
  createdAt: string;
}

export interface FakeAttachment {
  id: string;
  issueId: string;
  url: string;
  title: string;
  subtitle: string | null;
}

export interface FakeActivity {
  id: string;
  agentSessionId: string;
  content: Record<string, unknown>;
  ephemeral: boolean;
}

export interface FakeWorkflowState {
  id: string;
  name: string;
  type: string;
}

/** Linear validates the content payload per activity type. */
export function validateActivityContent(content: Variables): void {
  const type = content.type;
  const needsBody = ['thought', 'response', 'error', 'elicitation'];
  if (typeof type === 'string' && needsBody.includes(type)) {
    if (typeof content.body !== 'string' || content.body.length === 0) {
      throw invalidInput(`Agent activity of type ${type} needs a non-empty body.`);
    }
    return;
  }
  if (type === 'action') {
    if (typeof content.action !== 'string' || typeof content.parameter !== 'string') {
      throw invalidInput('Agent activity of type action needs action and parameter.');
    }
    return;
  }
  throw invalidInput(`Unknown agent activity content type ${String(type)}.`);
}

export function stringArg(args: Variables, name: string): string {
  const value = args[name];
  if (typeof value !== 'string' || value.length === 0)
    throw invalidInput(`Argument ${name} must be a string.`);
  return value;
}

export function objectArg(args: Variables, name: string): Variables {
  const value = args[name];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidInput(`Argument ${name} must be an object.`);
  }
  return value as Variables;
}
