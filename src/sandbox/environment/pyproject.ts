/** Extras and dependency groups that hold what a project's own tests need. */
const TEST_GROUPS = ['test', 'tests', 'testing', 'dev'];

/** The lines of one `[table]` of a TOML file, up to the next table header. */
function tableBody(toml: string, table: string): string | undefined {
  const lines = toml.split('\n');
  const header = new RegExp(`^\\s*\\[\\s*${table.replaceAll('.', '\\.')}\\s*\\]\\s*(#.*)?$`);
  const start = lines.findIndex((line) => header.test(line));
  if (start === -1) return undefined;
  const end = lines.findIndex((line, index) => index > start && /^\s*\[/.test(line));
  return lines.slice(start + 1, end === -1 ? undefined : end).join('\n');
}

/** The strings of the array assigned to `key` in a table body (`key = ["a", 'b', …]`, over lines). */
function stringArray(body: string, key: string): string[] {
  const match = new RegExp(
    `^\\s*"?${key.replaceAll('.', '\\.')}"?\\s*=\\s*\\[([\\s\\S]*?)\\]\\s*(#.*)?$`,
    'm',
  ).exec(body);
  if (!match?.[1]) return [];
  const values: string[] = [];
  for (const item of match[1].matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'/g)) {
    const value = (item[1] ?? item[2] ?? '').trim();
    if (value) values.push(value);
  }
  return values;
}

/**
 * The requirements a `pyproject.toml` declares for running its tests: `[project] dependencies`
 * plus the test/dev extras and dependency groups. The project itself is not built (a build backend
 * would have to be fetched too); its tests run from the workspace root, which is on sys.path.
 */
export function pyprojectRequirements(toml: string): string[] {
  const project = tableBody(toml, 'project') ?? '';
  const extras = tableBody(toml, 'project.optional-dependencies') ?? '';
  const groups = tableBody(toml, 'dependency-groups') ?? '';
  const requirements = [
    ...stringArray(project, 'dependencies'),
    ...TEST_GROUPS.flatMap((group) => [...stringArray(extras, group), ...stringArray(groups, group)]),
  ];
  return [...new Set(requirements)];
}
