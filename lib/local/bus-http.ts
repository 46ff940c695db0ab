/**
 * The local bus's HTTP plumbing: which bus a request names, JSON answers, and a bounded body read.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RuleDefinition } from '../contracts/rules.js';

/** The stack's bus, the account's default bus (an ARN names either after its last "/"), or neither. */
export function busOf(given: string, busName: string): RuleDefinition['bus'] | undefined {
  const name = given.startsWith('arn:') ? given.slice(given.lastIndexOf('/') + 1) : given;
  if (name === busName) return 'afterword';
  if (name === 'default') return 'default';
  return undefined;
}

export function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.1' });
  res.end(JSON.stringify(body));
}

export async function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
