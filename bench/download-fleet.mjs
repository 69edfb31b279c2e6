// Downloads one URL `count` times at once with the simulators' own download code; prints
// {"bytes": n, "ms": n} once all are done. argv: url, count.
import { downloadFirmware } from '../dist/sim/http-transfer.js';

const [url, count] = process.argv.slice(2);
const t0 = Date.now();
const images = await Promise.all(Array.from({ length: Number(count) }, () => downloadFirmware(url)));
process.stdout.write(`${JSON.stringify({ bytes: images.reduce((n, i) => n + i.size, 0), ms: Date.now() - t0 })}\n`);
