import { PassThrough } from 'node:stream';

/** Gap between keys that arrived together, after the view has drawn what the previous one did. */
const KEY_GAP_MS = 50;

/** A key that changes nothing draws nothing: the next one goes after this long regardless. */
const MAX_WAIT_MS = 250;

// An escape sequence (CSI, SS3, or ESC + one character), one control character, or a run of text.
const KEY = /\u001b\[[0-?]*[ -/]*[@-~]|\u001bO.|\u001b[\s\S]?|[\u0000-\u001f\u007f]|[^\u0000-\u001f\u007f]+/g;

/**
 * The keys in a chunk of terminal input. A paste, type-ahead or a laggy SSH link delivers many
 * keys in one chunk: `Down Down Enter`, or `me@example.com⏎secret⏎`. A newline is Enter.
 */
export function splitKeys(chunk: string): string[] {
  return (chunk.replace(/\r\n|\n/g, '\r').match(KEY) ?? []).filter((k) => k.length > 0);
}

/**
 * The terminal's input as ink should hear it: one key at a time, a moment apart, so that every
 * field and list sees each key with the state the previous one left (two Downs typed together
 * move two lines; a pasted line ending in Enter submits it without a stray \r).
 */
export function keyStream(real: NodeJS.ReadStream): NodeJS.ReadStream & { rendered(): void } {
  const keys = new PassThrough({ objectMode: true });
  const queue: string[] = [];
  let timer: NodeJS.Timeout | null = null;
  // A fixed gap is not enough on a loaded laptop: a field's key handler sees what the previous
  // key did only once React has committed it and re-run the view's effects (an Enter that moved
  // to the password must not leave the email's handler listening). So the next key waits for a
  // frame drawn after ink read the last one (a frame of an earlier key does not count), then a
  // gap for those effects; or a while, for a key that changes nothing.
  let sent = 0;
  let read = 0;
  let awaitingFrame = false;
  const drain = (): void => {
    timer = null;
    awaitingFrame = false;
    const key = queue.shift();
    if (key === undefined) return;
    sent += 1;
    keys.write(key);
    if (queue.length > 0) {
      awaitingFrame = true;
      timer = setTimeout(drain, MAX_WAIT_MS);
    }
  };
  // A key arriving right after a frame (the next field just drawn) waits for that frame's effects too.
  let lastFrameAt = -Infinity;
  const rendered = (): void => {
    lastFrameAt = Date.now();
    if (!awaitingFrame || !timer || read < sent) return;
    awaitingFrame = false;
    clearTimeout(timer);
    timer = setTimeout(drain, KEY_GAP_MS);
  };
  const readKey = keys.read.bind(keys);
  keys.read = (size?: number) => {
    const key: unknown = readKey(size);
    if (key !== null) read += 1;
    return key;
  };
  const onData = (chunk: Buffer | string): void => {
    queue.push(...splitKeys(String(chunk)));
    if (timer) return;
    const settle = lastFrameAt + KEY_GAP_MS - Date.now();
    if (settle > 0) timer = setTimeout(drain, settle);
    else drain();
  };
  return Object.assign(keys, {
    rendered,
    isTTY: real.isTTY,
    setRawMode(mode: boolean) {
      real.setRawMode(mode);
      if (mode) real.on('data', onData).resume();
      else real.off('data', onData).pause();
      return keys;
    },
    // Keys are already text, one per chunk.
    setEncoding: () => keys,
    ref: () => (real.ref(), keys),
    unref: () => (real.unref(), keys),
  }) as unknown as NodeJS.ReadStream & { rendered(): void };
}
