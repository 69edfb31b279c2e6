// A second local server acting as the hosted API (the sync target), in its own process.
import { LocalServer } from '../dist/server/local-server.js';

const [dataDir] = process.argv.slice(2);
const server = await LocalServer.start({ dataDir, port: 0, apiHost: '127.0.0.1', hosted: true });
process.stdout.write(`${JSON.stringify({ api_url: server.apiUrl, credentials: server.createdCredentials })}\n`);
process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
