// The baseline: a plain ws server that sends every text frame straight back.
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: (p) => [...p][0] ?? false });
wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
wss.on('listening', () => process.stdout.write(`${JSON.stringify({ url: `ws://127.0.0.1:${wss.address().port}/ocpp` })}\n`));
process.on('SIGTERM', () => wss.close(() => process.exit(0)));
