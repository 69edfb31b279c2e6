// npm run bench: every benchmark, or those named (startup, throughput, scale, site, sync, log-query, report, firmware).
import { machine } from './lib.mjs';

const all = ['startup', 'throughput', 'scale', 'site', 'sync', 'log-query', 'report', 'firmware'];
const chosen = process.argv.slice(2).length > 0 ? process.argv.slice(2) : all;
const m = machine();
console.log(`Machine: ${m.cpu}, ${m.cores} cores, ${m.memory_gb} GB, Node ${m.node}, ${m.platform}\n`);
for (const name of chosen) {
  if (!all.includes(name)) throw new Error(`unknown benchmark ${name}; choose from ${all.join(', ')}`);
  const { run } = await import(`./${name}.mjs`);
  await run();
  console.log('');
}
