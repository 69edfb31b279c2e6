// How log lines are laid out in the log_chunks table: shared by the writer thread
// (log-writer.worker.js) and the receiving side of sync (logs.ts). Plain JavaScript for the same
// reason as the writer: the same file runs from src/ under the tests and from dist/ in the build.
//
// A run of a session's lines with consecutive seqs is cut into groups of at most CHUNK_CHARS
// characters; within a group the lines of each level go into a chunk of their own, stored with the
// group's first seq (`grp`). A query by level then decodes that level's chunks only, however rare
// the level; a plain page decodes the groups it spans and merges their chunks by seq.

/** A chunk is decoded whole to read any line of it: this bounds what one read parses. */
export const CHUNK_CHARS = 256 * 1024;

/** The levels, in the order of the n_<level> count columns. */
export const CHUNK_LEVELS = ['debug', 'info', 'warn', 'error'];

export const INSERT_CHUNK_SQL =
  'INSERT INTO log_chunks (session_id, grp, level, from_seq, to_seq, line_count, lines, n_debug, n_info, n_warn, n_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';

/**
 * @typedef {[number, number, string, string | null, string]} Line [seq, at, level, step, message]
 * @typedef {{ grp: number, level: string, from: number, to: number, lines: Line[] }} Chunk
 */

/**
 * Cuts lines (consecutive seqs of one session, in order) into groups and per-level chunks.
 * @param {Line[]} lines
 * @returns {{ from: number, to: number, chunks: Chunk[] }[]} the groups, each with its chunks
 */
export function toChunks(lines) {
  const groups = [];
  let group = null;
  let chars = 0;
  for (const line of lines) {
    if (!group || chars >= CHUNK_CHARS) {
      group = { from: line[0], to: line[0], chunks: [], byLevel: new Map() };
      groups.push(group);
      chars = 0;
    }
    chars += line[4].length + 48;
    group.to = line[0];
    let chunk = group.byLevel.get(line[2]);
    if (!chunk) {
      chunk = { grp: group.from, level: line[2], from: line[0], to: line[0], lines: [] };
      group.byLevel.set(line[2], chunk);
      group.chunks.push(chunk);
    }
    chunk.to = line[0];
    chunk.lines.push(line);
  }
  return groups.map(({ from, to, chunks }) => ({ from, to, chunks }));
}

/**
 * The values for INSERT_CHUNK_SQL.
 * @param {string} sessionId
 * @param {Chunk} chunk
 */
export function chunkRow(sessionId, chunk) {
  const counts = CHUNK_LEVELS.map((level) => (level === chunk.level ? chunk.lines.length : 0));
  return [sessionId, chunk.grp, chunk.level, chunk.from, chunk.to, chunk.lines.length, JSON.stringify(chunk.lines), ...counts];
}
