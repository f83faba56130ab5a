/**
 * The message limits Slack enforces, so a reporter that breaks them fails here as it would there:
 * text ≤ 40,000 characters, ≤ 50 blocks, a section's text ≤ 3,000 and each field ≤ 2,000,
 * a button's label ≤ 75, an actions block ≤ 25 elements, a context block ≤ 10.
 */
export const SLACK_LIMITS = {
  textChars: 40_000,
  blocks: 50,
  sectionTextChars: 3_000,
  sectionFieldChars: 2_000,
  sectionFields: 10,
  headerChars: 150,
  buttonTextChars: 75,
  actionsElements: 25,
  contextElements: 10,
} as const;

function textOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const text = (value as { text?: unknown }).text;
  return typeof text === 'string' ? text : undefined;
}

function checkBlock(block: unknown, index: number): string | undefined {
  if (typeof block !== 'object' || block === null) return `block ${index} is not an object`;
  const record = block as Record<string, unknown>;
  switch (record.type) {
    case 'section': {
      const text = textOf(record.text);
      if (text !== undefined && text.length > SLACK_LIMITS.sectionTextChars)
        return `block ${index}: section text longer than ${SLACK_LIMITS.sectionTextChars}`;
      const fields = Array.isArray(record.fields) ? record.fields : [];
      if (fields.length > SLACK_LIMITS.sectionFields) return `block ${index}: more than 10 fields`;
      if (fields.some((field) => (textOf(field)?.length ?? 0) > SLACK_LIMITS.sectionFieldChars))
        return `block ${index}: a field longer than ${SLACK_LIMITS.sectionFieldChars}`;
      if (text === undefined && fields.length === 0) return `block ${index}: section without text`;
      return undefined;
    }
    case 'header':
      return (textOf(record.text)?.length ?? 0) > SLACK_LIMITS.headerChars
        ? `block ${index}: header longer than ${SLACK_LIMITS.headerChars}`
        : undefined;
    case 'actions': {
      const elements = Array.isArray(record.elements) ? record.elements : [];
      if (elements.length === 0 || elements.length > SLACK_LIMITS.actionsElements)
        return `block ${index}: actions needs 1–25 elements`;
      for (const element of elements) {
        const label = textOf((element as { text?: unknown }).text);
        if (label !== undefined && label.length > SLACK_LIMITS.buttonTextChars)
          return `block ${index}: button label longer than ${SLACK_LIMITS.buttonTextChars}`;
      }
      return undefined;
    }
    case 'context': {
      const elements = Array.isArray(record.elements) ? record.elements : [];
      return elements.length === 0 || elements.length > SLACK_LIMITS.contextElements
        ? `block ${index}: context needs 1–10 elements`
        : undefined;
    }
    case 'divider':
    case 'rich_text':
    case 'image':
    case 'markdown':
      return undefined;
    default:
      return `block ${index}: unsupported type ${String(record.type)}`;
  }
}

/** The Slack error for a message that breaks a limit, or undefined. */
export function checkMessageLimits(
  text: unknown,
  blocks: unknown,
): { error: string; errors?: string[] } | undefined {
  if (typeof text === 'string' && text.length > SLACK_LIMITS.textChars) return { error: 'msg_too_long' };
  if (blocks === undefined) return undefined;
  if (!Array.isArray(blocks)) return { error: 'invalid_blocks_format' };
  if (blocks.length > SLACK_LIMITS.blocks)
    return { error: 'invalid_blocks', errors: ['more than 50 blocks'] };
  const errors = blocks.map(checkBlock).filter((error): error is string => error !== undefined);
  return errors.length > 0 ? { error: 'invalid_blocks', errors } : undefined;
}
