// The baseline for the firmware benchmark: a plain node:http server that sends one file to
// whoever asks, with no token, no range, no bound. argv: the file.
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';

const [file] = process.argv.slice(2);
const size = statSync(file).size;
const server = createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': size });
  createReadStream(file).pipe(res);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}/fw.bin` })}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
