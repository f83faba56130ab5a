import type { ServerResponse } from 'node:http';

/** A JSON answer with the right headers; `error` bodies use a stable `error` code and a plain `message`. */
export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

const errorCodes = new WeakMap<ServerResponse, string>();

export function sendError(response: ServerResponse, status: number, error: string, message: string): void {
  errorCodes.set(response, error);
  sendJson(response, status, { error, message });
}

/** The stable code an error answer carried (`bad_signature`…), for metrics; undefined otherwise. */
export function errorCodeOf(response: ServerResponse): string | undefined {
  return errorCodes.get(response);
}

export function sendText(response: ServerResponse, status: number, contentType: string, text: string): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  response.end(text);
}
