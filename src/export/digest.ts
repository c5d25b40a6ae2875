// SHA-256 for the evidence folder: of stdin as the command reads it (a pass-through that hashes
// every chunk, so nothing is read twice), of files, and of the folder's own files.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Transform, type Readable, type TransformCallback } from 'node:stream';

export interface Digest {
  sha256: string;
  bytes: number;
}

/** Passes bytes through unchanged, hashing and counting them. */
export class HashingStream extends Transform {
  private hash = createHash('sha256');
  private bytes = 0;
  private done: Digest | undefined;
  override _transform(chunk: Buffer | string, enc: BufferEncoding, cb: TransformCallback): void {
    const b = typeof chunk === 'string' ? Buffer.from(chunk, enc) : chunk;
    this.hash.update(b);
    this.bytes += b.length;
    cb(null, b);
  }
  /** The digest of everything that went through (call once the reader reached the end). */
  digest(): Digest {
    this.done ??= { sha256: this.hash.digest('hex'), bytes: this.bytes };
    return this.done;
  }
}

const stdinHashes = new WeakMap<object, HashingStream>();

/**
 * The stdin the command should read when a writer archives its input: when `-` is among the
 * sources, a hashing pass-through of it, whose digest `stdinDigest(ctx)` gives afterwards.
 * Without `-`, stdin itself (left unread).
 */
export function hashingStdin(stdin: Readable, ctx: { sources: string[] }): Readable {
  if (!ctx.sources.includes('-')) return stdin;
  const h = new HashingStream();
  stdin.on('error', (err) => h.destroy(err));
  stdin.pipe(h);
  stdinHashes.set(ctx, h);
  return h;
}

/** The digest of stdin as read, when the command read it through hashingStdin. */
export function stdinDigest(ctx: object): Digest | undefined {
  return stdinHashes.get(ctx)?.digest();
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** SHA-256, size and number of newlines of a file, streamed. */
export async function sha256File(path: string): Promise<Digest & { lines: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  let lines = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const b = chunk as Buffer;
    hash.update(b);
    bytes += b.length;
    for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) lines++;
  }
  return { sha256: hash.digest('hex'), bytes, lines };
}
