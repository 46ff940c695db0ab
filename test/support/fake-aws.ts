/**
 * Stand-ins for the few AWS APIs the deployed stack is read and written through that have no
 * emulator here: CloudFormation's DescribeStacks (query protocol, XML), CloudWatch Logs'
 * FilterLogEvents and SQS's GetQueueAttributes / ReceiveMessage / DeleteMessage (JSON protocols),
 * S3's PutObject (REST, path-style) and Lambda's Invoke (REST). The SDK clients, their middleware (the AWS call recorder) and our
 * code around them are the real ones; only the far end is this.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeAwsState {
  /** DescribeStacks: the stack's outputs by name. */
  stacks: Map<string, Record<string, string>>;
  /** FilterLogEvents: the messages of each log group. */
  logGroups: Map<string, string[]>;
  /** The messages in each queue (by queue name, the URL's last part); ids given on first receive. */
  queues: Map<string, { body: string; id?: string }[]>;
  /** Lambda Invoke: each call's function (name or ARN, as given), invocation type and payload. */
  invocations: { functionName: string; invocationType: string; payload: string }[];
  /** PutObject: what was written, by `bucket/key`. */
  objects: Map<string, string>;
}

export interface FakeAws {
  endpoint: string;
  state: FakeAwsState;
  close(): Promise<void>;
}

export async function startFakeAws(): Promise<FakeAws> {
  const state: FakeAwsState = {
    stacks: new Map(),
    logGroups: new Map(),
    queues: new Map(),
    objects: new Map(),
    invocations: [],
  };
  let nextMessageId = 1;
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await read(req);
      const target = String(req.headers['x-amz-target'] ?? '');
      const json = (status: number, payload: object, type = 'application/x-amz-json-1.1') => {
        res.writeHead(status, { 'content-type': type });
        res.end(JSON.stringify(payload));
      };
      if (req.method === 'PUT') {
        // S3 PutObject, path style: /<bucket>/<key>
        state.objects.set(decodeURIComponent((req.url ?? '').slice(1).split('?')[0]!), body);
        res.writeHead(200, { etag: '"fake"' });
        return res.end();
      }
      const invoke = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(req.url ?? '');
      if (req.method === 'POST' && invoke) {
        // Lambda Invoke (REST): an asynchronous invocation is accepted with 202.
        const invocationType = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
        state.invocations.push({
          functionName: decodeURIComponent(invoke[1]!),
          invocationType,
          payload: body,
        });
        res.writeHead(invocationType === 'Event' ? 202 : 200, {
          'content-type': 'application/json',
        });
        return res.end(invocationType === 'Event' ? '' : 'null');
      }
      if (target === 'Logs_20140328.FilterLogEvents') {
        const { logGroupName } = JSON.parse(body) as { logGroupName: string };
        const messages = state.logGroups.get(logGroupName);
        if (!messages)
          return json(400, { __type: 'ResourceNotFoundException', message: 'no group' });
        return json(200, {
          events: messages.map((message, i) => ({ eventId: String(i), message, timestamp: 0 })),
        });
      }
      if (target.startsWith('AmazonSQS.')) {
        const { QueueUrl, ReceiptHandle } = JSON.parse(body) as {
          QueueUrl: string;
          ReceiptHandle?: string;
        };
        const messages = state.queues.get(QueueUrl.split('/').pop()!) ?? [];
        const type = 'application/x-amz-json-1.0';
        if (target === 'AmazonSQS.DeleteMessage') {
          const at = messages.findIndex((m) => m.id === ReceiptHandle);
          if (at >= 0) messages.splice(at, 1);
          return json(200, {}, type);
        }
        if (target === 'AmazonSQS.GetQueueAttributes') {
          return json(
            200,
            { Attributes: { ApproximateNumberOfMessages: String(messages.length) } },
            type,
          );
        }
        if (target === 'AmazonSQS.ReceiveMessage') {
          return json(
            200,
            {
              // The SDK checks each body against its MD5, as SQS sends it.
              Messages: messages.slice(0, 10).map((message) => ({
                MessageId: (message.id ??= String(nextMessageId++)),
                ReceiptHandle: message.id,
                Body: message.body,
                MD5OfBody: createHash('md5').update(message.body).digest('hex'),
                Attributes: { SentTimestamp: '1763900000000' },
              })),
            },
            type,
          );
        }
      }
      const form = new URLSearchParams(body);
      if (form.get('Action') === 'DescribeStacks') {
        const name = form.get('StackName') ?? '';
        const outputs = state.stacks.get(name);
        res.writeHead(outputs ? 200 : 400, { 'content-type': 'text/xml' });
        return res.end(
          outputs
            ? `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member><StackName>${xml(name)}</StackName><StackId>arn:aws:cloudformation:us-east-1:111122223333:stack/${xml(name)}/0</StackId><CreationTime>2026-11-01T00:00:00Z</CreationTime><StackStatus>UPDATE_COMPLETE</StackStatus><Outputs>${Object.entries(
                outputs,
              )
                .map(
                  ([key, value]) =>
                    `<member><OutputKey>${xml(key)}</OutputKey><OutputValue>${xml(value)}</OutputValue></member>`,
                )
                .join(
                  '',
                )}</Outputs></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></DescribeStacksResponse>`
            : `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id ${xml(name)} does not exist</Message></Error><RequestId>fake</RequestId></ErrorResponse>`,
        );
      }
      json(400, {
        __type: 'UnknownOperationException',
        message: `the fake does not do ${target || req.method}`,
      });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    state,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function read(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += (chunk as Buffer).toString();
  return text;
}

function xml(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
