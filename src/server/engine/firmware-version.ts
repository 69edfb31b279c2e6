/**
 * Firmware versions as vendors write them (`1.4.2`, `v2.0.1-sim`, `R3.10b`): compared part by
 * part, numbers as numbers, so 1.10 is above 1.9. A suffix after a part's number (`-sim`, `b`)
 * counts below the bare number only when the numbers are equal, as a pre-release does.
 * Null when either has no number at all: nothing to compare.
 */
export function compareVersions(a: string, b: string): number | null {
  const parts = (v: string) => v.replace(/^[^\d]*/, '').split('.').map((p) => /^(\d*)(.*)$/.exec(p)!);
  if (!/\d/.test(a) || !/\d/.test(b)) return null;
  const [pa, pb] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(pa.length, pb.length); i += 1) {
    const [na, sa] = [Number(pa[i]?.[1] || 0), pa[i]?.[2] ?? ''];
    const [nb, sb] = [Number(pb[i]?.[1] || 0), pb[i]?.[2] ?? ''];
    if (na !== nb) return na < nb ? -1 : 1;
    if (sa !== sb) return sa === '' ? 1 : sb === '' ? -1 : sa < sb ? -1 : 1;
  }
  return 0;
}
