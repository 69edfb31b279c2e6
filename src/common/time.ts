/** `2024-03-10T14:30:00Z`: the reference's form for session and issue times. */
export function isoSeconds(date: Date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** With milliseconds, for log lines whose order within a second matters. */
export function isoMillis(date: Date = new Date()): string {
  return date.toISOString();
}
