/**
 * The live benchmark's ceiling, in a process of its own (forked by live.ts): a bare Socket.io server, with
 * nothing but a `/live` namespace, broadcasting one payload (a delta of the size Relance sent) at a fixed rate
 * to every connected client, each message stamped with its send time. No database, no authentication, no
 * model: what Socket.io itself costs to carry the same bytes to the same screens.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { serveHelper, wallNow } from './child.ts';

export type BareCommand = { type: 'listen' } | { type: 'broadcast'; payload: unknown; perSecond: number; seconds: number };
export type BareAnswer = { type: 'listening'; url: string } | { type: 'broadcast-done'; sent: number; clients: number; cpuMs: number };

const server = http.createServer();
const io = new Server(server, { serveClient: false });
const live = io.of('/live');

serveHelper<BareCommand, BareAnswer>('live-bare.ts', async (command) => {
  if (command.type === 'listen') {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { type: 'listening', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  }
  const cpuBefore = process.cpuUsage();
  const total = Math.max(1, Math.round(command.perSecond * command.seconds));
  const started = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      // Encoded once and written to every client, as Relance's broadcast to its room is.
      live.emit('bench:delta', wallNow(), command.payload);
      sent++;
      if (sent >= total) return resolve();
      setTimeout(tick, Math.max(0, started + (sent * 1000) / command.perSecond - performance.now()));
    };
    tick();
  });
  const usage = process.cpuUsage(cpuBefore);
  return { type: 'broadcast-done', sent, clients: live.sockets.size, cpuMs: (usage.user + usage.system) / 1000 };
});
