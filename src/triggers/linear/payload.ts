import { z } from 'zod';

/*
 * The parts of Linear webhook bodies Baton reads, validated at the boundary. Objects stay loose:
 * Linear adds fields freely. The full shapes are the SDK's `EntityWebhookPayloadWithIssueData`,
 * `EntityWebhookPayloadWithCommentData` and `AgentSessionEventWebhookPayload` (`@linear/sdk/webhooks`).
 */

const team = z.object({ id: z.string(), key: z.string() }).loose();
const label = z.object({ id: z.string(), name: z.string() }).loose();
const actor = z.object({ id: z.string(), name: z.string().optional() }).loose();

export const issueEventSchema = z
  .object({
    type: z.literal('Issue'),
    action: z.string(),
    actor: actor.nullish(),
    updatedFrom: z.record(z.string(), z.unknown()).nullish(),
    data: z
      .object({
        id: z.string(),
        identifier: z.string(),
        title: z.string(),
        description: z.string().nullish(),
        labelIds: z.array(z.string()).default([]),
        labels: z.array(label).default([]),
        team: team.nullish(),
        projectId: z.string().nullish(),
        creatorId: z.string().nullish(),
      })
      .loose(),
  })
  .loose();

export const commentEventSchema = z
  .object({
    type: z.literal('Comment'),
    action: z.string(),
    actor: actor.nullish(),
    data: z
      .object({
        id: z.string(),
        body: z.string(),
        userId: z.string().nullish(),
        botActor: z.unknown().optional(),
        issueId: z.string().nullish(),
        issue: z
          .object({ id: z.string(), identifier: z.string(), title: z.string(), team: team.nullish() })
          .loose()
          .nullish(),
      })
      .loose(),
  })
  .loose();

export const agentSessionEventSchema = z
  .object({
    type: z.literal('AgentSessionEvent'),
    action: z.string(),
    promptContext: z.string().nullish(),
    agentSession: z
      .object({
        id: z.string(),
        creatorId: z.string().nullish(),
        creator: actor.nullish(),
        issueId: z.string().nullish(),
        issue: z
          .object({
            id: z.string(),
            identifier: z.string(),
            title: z.string(),
            description: z.string().nullish(),
            team: team.nullish(),
          })
          .loose()
          .nullish(),
        commentId: z.string().nullish(),
        comment: z.object({ id: z.string(), body: z.string() }).loose().nullish(),
      })
      .loose(),
    agentActivity: z
      .object({
        id: z.string(),
        userId: z.string().nullish(),
        signal: z.string().nullish(),
        sourceCommentId: z.string().nullish(),
        content: z.object({ type: z.string().optional(), body: z.string().optional() }).loose(),
      })
      .loose()
      .nullish(),
  })
  .loose();

/** Every webhook carries at least these; anything else about unknown types is ignored. */
export const webhookEnvelopeSchema = z.object({ type: z.string(), action: z.string().optional() }).loose();

export type IssueEvent = z.infer<typeof issueEventSchema>;
export type CommentEvent = z.infer<typeof commentEventSchema>;
export type AgentSessionEvent = z.infer<typeof agentSessionEventSchema>;
