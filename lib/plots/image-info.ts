/**
 * What an exported image file is, read from its bytes: a PNG's signature and IHDR size, or an SVG's root
 * element and its width/height attributes. Used to check exports without looking at pixels.
 */
import { readFileSync } from "node:fs";
import { fail } from "../errors";

export interface ImageInfo {
  format: "svg" | "png";
  width: number;
  height: number;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function imageInfo(file: string): ImageInfo {
  const bytes = readFileSync(file);
  if (bytes.subarray(0, 8).equals(PNG_SIGNATURE)) {
    if (bytes.toString("latin1", 12, 16) !== "IHDR") fail(`${file}: PNG without an IHDR chunk first`);
    if (bytes.toString("latin1", bytes.length - 8, bytes.length - 4) !== "IEND") fail(`${file}: PNG is truncated (no IEND chunk at the end)`);
    return { format: "png", width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  }
  const text = bytes.toString("utf8");
  const root = /^\s*(?:<\?xml[^>]*>\s*)?<svg\b([^>]*)>/.exec(text);
  if (!root) fail(`${file}: neither a PNG nor an SVG (starts with ${JSON.stringify(text.slice(0, 20))})`);
  if (!/<\/svg>\s*$/.test(text)) fail(`${file}: SVG is not closed by </svg>`);
  const attr = (name: string) => Number(new RegExp(`\\b${name}="([\\d.]+)`).exec(root[1])?.[1]);
  const width = attr("width");
  const height = attr("height");
  if (!(width > 0 && height > 0)) fail(`${file}: SVG root has no positive width/height`);
  return { format: "svg", width, height };
}
