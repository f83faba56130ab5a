import type { TaskOrigin } from '../../runs/task-request.ts';

/** A request that came from Slack: replies go to `threadTs` in `channelId`, reactions on `messageTs`. */
export type SlackOrigin = Extract<TaskOrigin, { kind: 'slack' }>;
