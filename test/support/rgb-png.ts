import zlib from "node:zlib";

/**
 * A `size`×`size` RGB PNG whose pixel at (x, y) is `pixel(x, y)`: an image for tests that log
 * one (a table's image cell, an artifact preview), made without an image library.
 *
 * @example
 * const solid = rgbPng(16, () => [200, 40, 40]);
 */
export function rgbPng(size: number, pixel: (x: number, y: number) => readonly [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(zlib.crc32(body) >>> 0, body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const pixels = Buffer.alloc(size * (size * 3 + 1));
  for (let y = 0; y < size; y += 1) for (let x = 0; x < size; x += 1) pixels.set(pixel(x, y), y * (size * 3 + 1) + 1 + x * 3);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", header), chunk("IDAT", zlib.deflateSync(pixels)), chunk("IEND", Buffer.alloc(0))]);
}
