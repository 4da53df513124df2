import fs from "node:fs/promises";

const CHUNK = 64 * 1024;

/**
 * The lines of a file from `end` backwards (newest first in an append-only log), each with the
 * byte offset where it starts: a search of a large log reads only as far back as it needs. Empty
 * lines are skipped.
 *
 * @example
 * for await (const { line, offset } of readLinesBackward("audit.log", size)) console.log(offset, line);
 */
export async function* readLinesBackward(file: string, end: number): AsyncGenerator<{ line: string; offset: number }> {
  const handle = await fs.open(file, "r");
  try {
    let position = end;
    // The bytes of the line cut by the chunk boundary, kept until its start is read.
    let tail = Buffer.alloc(0);
    while (position > 0) {
      const size = Math.min(CHUNK, position);
      position -= size;
      const chunk = Buffer.alloc(size);
      const { bytesRead } = await handle.read(chunk, 0, size, position);
      const buffer = tail.length ? Buffer.concat([chunk.subarray(0, bytesRead), tail]) : chunk.subarray(0, bytesRead);
      let stop = buffer.length;
      for (let i = buffer.length - 1; i >= 0; i -= 1) {
        if (buffer[i] !== 0x0a) continue;
        if (stop > i + 1) yield { line: buffer.toString("utf8", i + 1, stop), offset: position + i + 1 };
        stop = i;
      }
      tail = Buffer.from(buffer.subarray(0, stop));
    }
    if (tail.length) yield { line: tail.toString("utf8"), offset: 0 };
  } finally {
    await handle.close();
  }
}
