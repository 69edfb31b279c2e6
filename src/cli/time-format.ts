/**
 * Times for people, one form everywhere: "3 min ago" while recent, else the local date and time
 * with its zone (`2026-11-26 15:02 CET`); `relative: false` for a moment named with "at". JSON
 * keeps the API's ISO-8601 UTC as it came.
 */
/** "at 2026-11-26 15:02 CET", or "3 min ago" / "just now": for a sentence. */
export function atTime(iso: string | null | undefined): string {
  const t = humanTime(iso);
  return /ago$|^just now$/.test(t) ? t : `at ${t}`;
}

export function humanTime(iso: string | null | undefined, options: { relative?: boolean; now?: number } = {}): string {
  if (!iso) return '-';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  const ago = Math.round(((options.now ?? Date.now()) - at) / 1000);
  if (options.relative !== false && ago >= 0 && ago < 45) return 'just now';
  if (options.relative !== false && ago >= 0 && ago < 3600) return `${Math.max(1, Math.round(ago / 60))} min ago`;
  const d = new Date(at);
  const zone = new Intl.DateTimeFormat('en-GB', { timeZoneName: 'short' }).formatToParts(d).find((p) => p.type === 'timeZoneName')?.value ?? '';
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())} ${zone}`.trimEnd();
}

/** "14:05:09", local: the time at the head of each line a long-running command prints, the same on every laptop's locale. */
export function clockTime(d: Date = new Date()): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
