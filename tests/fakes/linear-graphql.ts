import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  Kind,
  type OperationDefinitionNode,
  parse,
  type SelectionSetNode,
  valueFromASTUntyped,
} from 'graphql';

/** A GraphQL error as Linear returns it: `extensions.type` is what the SDK maps to its error classes. */
export interface FakeGraphQLError {
  message: string;
  extensions: { type: string; code: string; userPresentableMessage?: string };
}

export class FakeGraphQLFailure extends Error {
  readonly error: FakeGraphQLError;
  constructor(error: FakeGraphQLError) {
    super(error.message);
    this.error = error;
  }
}

export type Variables = Record<string, unknown>;

/** A root field: receives its evaluated arguments, returns the complete object graph. */
export type RootResolver = (args: Variables) => unknown;

/** A nested field whose value depends on its arguments (e.g. `states(filter: …)`). */
export type FieldWithArguments = (args: Variables) => unknown;

export interface ParsedOperation {
  name: string;
  kind: 'query' | 'mutation' | 'subscription';
  document: DocumentNode;
  operation: OperationDefinitionNode;
  fragments: Map<string, FragmentDefinitionNode>;
}

export function parseOperation(query: string): ParsedOperation {
  const document = parse(query);
  const operation = document.definitions.find(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  );
  if (!operation) throw invalidInput('The document has no operation.');
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return {
    name: operation.name?.value ?? '',
    kind: operation.operation,
    document,
    operation,
    fragments,
  };
}

export function invalidInput(message: string): FakeGraphQLFailure {
  return new FakeGraphQLFailure({
    message,
    extensions: { type: 'invalid input', code: 'INPUT_ERROR', userPresentableMessage: message },
  });
}

/**
 * Executes an operation against root resolvers and projects each result onto the selection set.
 * A selected field the fake has no value for is an error, never a silent `undefined`: the SDK reads
 * nested fields lazily, so an incomplete fragment would only surface later, far from its cause.
 */
export function execute(
  parsed: ParsedOperation,
  variables: Variables,
  roots: Record<string, RootResolver>,
): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const selection of parsed.operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD)
      throw invalidInput('Only plain root fields are supported by the fake.');
    const resolver = roots[selection.name.value];
    if (!resolver)
      throw invalidInput(`Fake Linear does not implement ${parsed.kind} field ${selection.name.value}.`);
    const value = resolver(argumentsOf(selection, variables));
    data[selection.alias?.value ?? selection.name.value] = project(value, selection, parsed, variables, [
      selection.name.value,
    ]);
  }
  return data;
}

function argumentsOf(field: FieldNode, variables: Variables): Variables {
  const args: Variables = {};
  for (const argument of field.arguments ?? []) {
    args[argument.name.value] = valueFromASTUntyped(argument.value, variables);
  }
  return args;
}

function project(
  value: unknown,
  field: FieldNode,
  parsed: ParsedOperation,
  variables: Variables,
  path: string[],
): unknown {
  if (!field.selectionSet) return value;
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) {
    return value.map((item, index) => project(item, field, parsed, variables, [...path, String(index)]));
  }
  if (typeof value !== 'object') throw invalidInput(`Fake Linear: ${path.join('.')} is not an object.`);
  return projectSelectionSet(value as Record<string, unknown>, field.selectionSet, parsed, variables, path);
}

function projectSelectionSet(
  value: Record<string, unknown>,
  selectionSet: SelectionSetNode,
  parsed: ParsedOperation,
  variables: Variables,
  path: string[],
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  const typename = typeof value.__typename === 'string' ? value.__typename : undefined;
  for (const selection of selectionSet.selections) {
    switch (selection.kind) {
      case Kind.FIELD: {
        const name = selection.name.value;
        const key = selection.alias?.value ?? name;
        if (name === '__typename') {
          if (!typename) throw invalidInput(`Fake Linear: ${path.join('.')} has no __typename.`);
          result[key] = typename;
          break;
        }
        if (!(name in value)) {
          throw invalidInput(`Fake Linear has no value for ${typename ?? path.join('.')}.${name}.`);
        }
        const raw = value[name];
        const resolved = typeof raw === 'function' ? raw(argumentsOf(selection, variables)) : raw;
        result[key] = project(resolved, selection, parsed, variables, [...path, name]);
        break;
      }
      case Kind.FRAGMENT_SPREAD: {
        const fragment = parsed.fragments.get(selection.name.value);
        if (!fragment) throw invalidInput(`Unknown fragment ${selection.name.value}.`);
        if (appliesTo(fragment.typeCondition.name.value, typename)) {
          Object.assign(result, projectSelectionSet(value, fragment.selectionSet, parsed, variables, path));
        }
        break;
      }
      case Kind.INLINE_FRAGMENT: {
        if (!selection.typeCondition || appliesTo(selection.typeCondition.name.value, typename)) {
          Object.assign(result, projectSelectionSet(value, selection.selectionSet, parsed, variables, path));
        }
        break;
      }
    }
  }
  return result;
}

/** Without a `__typename` the fake cannot tell union members apart; it then assumes the condition holds. */
function appliesTo(typeCondition: string, typename: string | undefined): boolean {
  return typename === undefined || typename === typeCondition;
}
