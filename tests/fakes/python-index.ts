import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakePythonIndex {
  /** The simple index root, e.g. `http://127.0.0.1:PORT/simple/`. */
  url: string;
  requests: string[];
  close(): Promise<void>;
}

/** Writes a pure-Python wheel (py3-none-any) with the given module files, RECORD hashes included. */
const BUILD_WHEEL = `
import base64, hashlib, json, sys, zipfile
name, version, out, files = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
dist = f"{name}-{version}.dist-info"
entries = dict(files)
entries[f"{dist}/METADATA"] = f"Metadata-Version: 2.1\\nName: {name}\\nVersion: {version}\\n"
entries[f"{dist}/WHEEL"] = "Wheel-Version: 1.0\\nGenerator: baton-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"
record = []
for path, text in entries.items():
    data = text.encode()
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    record.append(f"{path},sha256={digest},{len(data)}")
record.append(f"{dist}/RECORD,,")
with zipfile.ZipFile(out, "w") as wheel:
    for path, text in entries.items():
        wheel.writestr(path, text)
    wheel.writestr(f"{dist}/RECORD", "\\n".join(record) + "\\n")
`;

/** A PEP 503 simple index on loopback serving one wheel built in the test. */
export async function startFakePythonIndex(wheel: {
  name: string;
  version: string;
  files: Record<string, string>;
}): Promise<FakePythonIndex> {
  const scratch = mkdtempSync(join(tmpdir(), 'baton-pypi-'));
  const fileName = `${wheel.name}-${wheel.version}-py3-none-any.whl`;
  execFileSync('python3', [
    '-c',
    BUILD_WHEEL,
    wheel.name,
    wheel.version,
    join(scratch, fileName),
    JSON.stringify(wheel.files),
  ]);
  const bytes = readFileSync(join(scratch, fileName));
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const requests: string[] = [];
  const normalised = wheel.name.toLowerCase().replace(/[-_.]+/g, '-');
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    requests.push(path);
    if (path === '/simple/' || path === '/simple') {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(
        `<!DOCTYPE html><html><body><a href="/simple/${normalised}/">${normalised}</a></body></html>`,
      );
    } else if (path === `/simple/${normalised}/` || path === `/simple/${normalised}`) {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(
        `<!DOCTYPE html><html><body><a href="/packages/${fileName}#sha256=${sha256}">${fileName}</a></body></html>`,
      );
    } else if (path === `/packages/${fileName}`) {
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length });
      response.end(bytes);
    } else {
      response.writeHead(404, { 'content-type': 'text/html' }).end('<html>not found</html>');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/simple/`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
