#!/usr/bin/env node
// The installed entry point. `--version` answers without loading anything else: it runs on
// every installer's keystroke of a script and should cost no more than starting node.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${pkg.version}\n`);
} else {
  // `dynamo logs --follow | head`: when the reader goes away, stop quietly, as Unix tools do;
  // a server (`local up`) listens for it and shuts down cleanly instead (src/cli/signals.ts).
  process.stdout.on('error', (err) => {
    if (err.code !== 'EPIPE') throw err;
    if (process.listenerCount('dynamo:stdout-gone') > 0) process.emit('dynamo:stdout-gone');
    else process.exit(0);
  });
  const { main } = await import('../dist/cli/main.js');
  const code = await main(process.argv);
  // Leftover keep-alive sockets or timers must not hold the shell prompt hostage.
  process.exit(code);
}
