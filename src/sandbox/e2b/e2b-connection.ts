/** How the host reaches E2B. The API key stays here: it is never put in a sandbox's environment. */
export interface E2BConnection {
  apiKey: string;
  /** REST API; default https://api.<domain>. */
  apiUrl?: string;
  /** One envd URL for every sandbox (a proxy, or the tests' fake). */
  sandboxUrl?: string;
  domain?: string;
  requestTimeoutMs: number;
}

/** The SDK's connection options, built from ours (never from the SDK reading process.env). */
export function sdkOptions(connection: E2BConnection) {
  return {
    apiKey: connection.apiKey,
    apiUrl: connection.apiUrl,
    sandboxUrl: connection.sandboxUrl,
    domain: connection.domain,
    requestTimeoutMs: connection.requestTimeoutMs,
  };
}
