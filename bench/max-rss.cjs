// Preloaded into a measured process: reports its peak resident set size (KB) on exit.
process.on('exit', () => process.stderr.write(`MAXRSS ${process.resourceUsage().maxRSS}\n`));
