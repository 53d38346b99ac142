import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import t from 'tap';
import { inFlightPlugin, type InFlightOptions } from '../src/plugins/in-flight.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An app whose /work takes `workMs`, as the server builds it (503 on closing, idle sockets closed). */
const appWithWork = async (workMs: number, options: InFlightOptions = {}) => {
  const app: FastifyInstance = Fastify({
    logger: false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  await app.register(inFlightPlugin, options);
  const done: string[] = [];
  app.get('/work', async () => {
    await sleep(workMs);
    done.push('work');
    return { ok: true };
  });
  app.post('/work', async () => {
    await sleep(workMs);
    done.push('work');
    throw new Error('failed late');
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { app, port, done };
};

/** Sends a request and hangs up after `ms`, as a client that gave up would. */
const hangUpAfter = (port: number, method: string, ms: number): void => {
  const request = http.request({ host: '127.0.0.1', port, path: '/work', method });
  request.on('error', () => undefined);
  request.end();
  setTimeout(() => request.destroy(), ms);
};

t.test('close() waits for a request whose client hung up', async (t) => {
  const { app, port, done } = await appWithWork(400);
  hangUpAfter(port, 'GET', 50);
  hangUpAfter(port, 'POST', 50);
  await sleep(100);
  await app.close();
  t.same(done, ['work', 'work'], 'both handlers finished before close() resolved');
});

t.test('close() waits for a request still answering its client', async (t) => {
  const { app, port, done } = await appWithWork(300);
  const answered = fetch(`http://127.0.0.1:${port}/work`);
  await sleep(50);
  const started = Date.now();
  await app.close();
  // Not held open by the keep-alive socket until its timeout (72 s).
  t.ok(Date.now() - started < 5000, 'closed once the reply was sent');
  t.same(done, ['work']);
  const res = await answered;
  t.equal(res.status, 200);
  t.equal(res.headers.get('connection'), 'close');
});

t.test('close() gives up after drainTimeoutMs', async (t) => {
  const { app, port, done } = await appWithWork(2000, { drainTimeoutMs: 100 });
  hangUpAfter(port, 'GET', 20);
  await sleep(50);
  const started = Date.now();
  await app.close();
  t.ok(Date.now() - started < 1000, 'did not wait for the handler');
  t.same(done, []);
  await sleep(2100);
});

t.test('an idle server closes at once', async (t) => {
  const { app, port } = await appWithWork(10);
  t.equal((await fetch(`http://127.0.0.1:${port}/work`)).status, 200);
  const started = Date.now();
  await app.close();
  t.ok(Date.now() - started < 500);
});
