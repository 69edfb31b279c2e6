/**
 * The file part of a multipart/form-data body (RFC 7578), as it streams in: the bytes of the
 * first part that names a `filename`, handed on chunk by chunk, nothing else kept. Written here
 * rather than taken from a library because one part of one upload is all we need, and the bounds
 * are ours: at most 64 KiB before the first boundary and 16 KiB of headers per part, so a body
 * with no boundary or endless headers is refused instead of buffered.
 */
export class MultipartError extends Error {}

const MAX_PREAMBLE = 64 * 1024;
const MAX_PART_HEADERS = 16 * 1024;
const CRLF = Buffer.from('\r\n');
const HEADERS_END = Buffer.from('\r\n\r\n');

/** The boundary of a multipart/form-data Content-Type; null when it is not one. */
export function multipartBoundary(contentType: string | undefined): string | null {
  if (!contentType || !/^multipart\/form-data\s*;/i.test(contentType)) return null;
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  return match ? (match[1] ?? match[2])! : null;
}

export class MultipartFile {
  private pending: Buffer;
  private state: 'preamble' | 'after-boundary' | 'headers' | 'body' | 'done' = 'preamble';
  private capturing = false;
  private preambleBytes = 0;
  /** The file name the part gave, as sent (the caller sanitises it). */
  fileName: string | null = null;
  found = false;

  private readonly delimiter: Buffer;

  constructor(
    boundary: string,
    private readonly emit: (chunk: Buffer) => void,
  ) {
    this.delimiter = Buffer.from(`\r\n--${boundary}`);
    // The first boundary may open the body without a CRLF before it.
    this.pending = Buffer.from(CRLF);
  }

  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    for (;;) if (!this.step()) return;
  }

  /** The body ended: it must have closed its last part, and carried a file. */
  end(): void {
    if (this.state !== 'done') throw new MultipartError('the multipart body ended before its closing boundary');
    if (!this.found) throw new MultipartError('the multipart body has no part with a filename');
  }

  /** One move of the state machine; false when it needs more bytes. */
  private step(): boolean {
    const keep = this.delimiter.length - 1;
    switch (this.state) {
      case 'preamble': {
        const at = this.pending.indexOf(this.delimiter);
        if (at < 0) {
          const drop = Math.max(0, this.pending.length - keep);
          this.preambleBytes += drop;
          if (this.preambleBytes > MAX_PREAMBLE) throw new MultipartError('no multipart boundary in the first 64 KiB of the body');
          this.pending = this.pending.subarray(drop);
          return false;
        }
        this.pending = this.pending.subarray(at + this.delimiter.length);
        this.state = 'after-boundary';
        return true;
      }
      case 'after-boundary': {
        if (this.pending.length < 2) return false;
        if (this.pending[0] === 0x2d && this.pending[1] === 0x2d) {
          this.state = 'done';
          return true;
        }
        // Transport padding (spaces, tabs) may sit between a boundary and its CRLF.
        const eol = this.pending.indexOf(CRLF);
        if (eol < 0) {
          if (this.pending.length > 256) throw new MultipartError('a multipart boundary line is not followed by CRLF');
          return false;
        }
        if (!/^[ \t]*$/.test(this.pending.subarray(0, eol).toString('latin1'))) throw new MultipartError('a multipart boundary line is not followed by CRLF');
        this.pending = this.pending.subarray(eol + 2);
        this.state = 'headers';
        return true;
      }
      case 'headers': {
        // A part without headers starts with the empty line at once.
        const at = this.pending.subarray(0, 2).equals(CRLF) ? -2 : this.pending.indexOf(HEADERS_END);
        if (at === -1) {
          if (this.pending.length > MAX_PART_HEADERS) throw new MultipartError('a multipart part has more than 16 KiB of headers');
          return false;
        }
        const headers = at < 0 ? '' : this.pending.subarray(0, at).toString('utf8');
        if (at + 4 > MAX_PART_HEADERS) throw new MultipartError('a multipart part has more than 16 KiB of headers');
        this.pending = this.pending.subarray(at < 0 ? 2 : at + 4);
        const fileName = fileNameOf(headers);
        this.capturing = !this.found && fileName !== null;
        if (this.capturing) this.fileName = fileName;
        this.state = 'body';
        return true;
      }
      case 'body': {
        const at = this.pending.indexOf(this.delimiter);
        if (at < 0) {
          const emitLength = this.pending.length - keep;
          if (emitLength <= 0) return false;
          if (this.capturing) this.emit(this.pending.subarray(0, emitLength));
          this.pending = this.pending.subarray(emitLength);
          return false;
        }
        if (this.capturing) {
          if (at > 0) this.emit(this.pending.subarray(0, at));
          this.capturing = false;
          this.found = true;
        }
        this.pending = this.pending.subarray(at + this.delimiter.length);
        this.state = 'after-boundary';
        return true;
      }
      case 'done':
        // The epilogue is ignored, and not kept.
        this.pending = Buffer.alloc(0);
        return false;
    }
  }
}

function fileNameOf(headers: string): string | null {
  for (const line of headers.split('\r\n')) {
    if (!/^content-disposition\s*:/i.test(line)) continue;
    const match = /;\s*filename\s*=\s*(?:"([^"]*)"|([^\s;]+))/i.exec(line);
    if (match) return match[1] ?? match[2] ?? '';
  }
  return null;
}
