// Hand-made zip files for upload tests and the import bench: one deflated entry of zeros whose declared size
// can be true (a zip bomb) or a lie (a small declared size for a large entry).
import { deflateRawSync } from 'node:zlib';

export function zipOfZeros(inflated: number, opts: { name?: string; declared?: number } = {}): Buffer {
  const data = deflateRawSync(Buffer.alloc(inflated), { level: 9 });
  const name = Buffer.from(opts.name ?? 'xl/media/image1.png');
  const declared = opts.declared ?? inflated;
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8); // deflate
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(declared, 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(declared, 24);
  central.writeUInt16LE(name.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + name.length, 12);
  end.writeUInt32LE(local.length + name.length + data.length, 16);
  return Buffer.concat([local, name, data, central, name, end]);
}
