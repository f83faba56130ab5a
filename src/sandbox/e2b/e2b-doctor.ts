import { Sandbox as SdkSandbox, Template } from 'e2b';
import { type E2BConnection, sdkOptions } from './e2b-connection.ts';
import { E2B_REFUSED_MESSAGE, isKeyRefusal } from './e2b-errors.ts';

/** What `baton doctor` checks for the E2B provider: the key is accepted, and the template exists. */
export async function checkE2BPrerequisites(options: {
  connection: E2BConnection | undefined;
  template: string;
}): Promise<{ problem: string; fix: string }[]> {
  if (!options.connection) {
    return [
      { problem: 'sandbox.provider is e2b but E2B_API_KEY is not set', fix: 'export E2B_API_KEY=e2b_...' },
    ];
  }
  const connection = sdkOptions(options.connection);
  try {
    await SdkSandbox.list({ ...connection, limit: 1 }).nextItems();
  } catch (error) {
    if (isKeyRefusal(error))
      return [{ problem: E2B_REFUSED_MESSAGE, fix: 'set E2B_API_KEY to a key of a team with sandbox quota' }];
    return [
      {
        problem: `cannot reach E2B (${(error as Error).message.split('\n')[0]})`,
        fix: 'check E2B_API_URL / E2B_DOMAIN and the network',
      },
    ];
  }
  try {
    if (!(await Template.exists(options.template, connection)))
      return [
        {
          problem: `E2B has no template "${options.template}"`,
          fix: 'set sandbox.e2b.template to a template of your team (default: base)',
        },
      ];
  } catch (error) {
    return [
      {
        problem: `cannot check the template (${(error as Error).message})`,
        fix: 'check the key and the API URL',
      },
    ];
  }
  return [];
}
