/**
 * Images uploaded from the admin pages into the media store: checked (type by magic bytes, size,
 * name), written atomically into MEDIA_UPLOAD_DIR, then recorded as a Media row with its price.
 * The paid `/media/<name>` route serves them like the seeded files.
 */
import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { parseInput } from "@/lib/api/params";
import { tokenUnit } from "@/lib/chain/token-info";
import { forgetMediaBytes, mediaUploadDir } from "@/lib/content/media";
import { db } from "@/lib/db/client";
import { BadRequestError } from "@/lib/errors";
import type { TokenUnit } from "@/lib/format";
import {
  checkImage,
  MAX_IMAGE_BYTES,
  mediaNameSchema,
  tokenPriceSchema,
} from "./content-validation";

/** One row of the media table. */
export interface AdminMediaRow {
  path: string;
  contentType: string;
  /** Bytes; undefined for seeded files. */
  size?: number;
  price: bigint;
  status: number;
}

/** An upload as the lib takes it. */
export interface MediaUpload {
  name: string;
  /** Token amount as typed (`"0.5"`). */
  price: string;
  bytes: Uint8Array;
  /** The type the browser declared, if any (must agree with the bytes). */
  declaredType?: string;
  /** Overwrite a file of the same name. */
  replace?: boolean;
}

const uploadFieldsSchema = (unit: TokenUnit) =>
  z.object({ name: mediaNameSchema, price: tokenPriceSchema(unit) });

/** Every media file, by name. */
export async function listAdminMedia(): Promise<AdminMediaRow[]> {
  const rows = await db().media.findMany({ orderBy: { path: "asc" } });
  return rows.map((m) => ({
    path: m.path,
    contentType: m.contentType,
    size: m.size ?? undefined,
    price: BigInt(m.price),
    status: m.status,
  }));
}

/**
 * Stores an uploaded image and prices it. The file is written to a temporary name and renamed, so
 * a reader never gets half a file; the cached bytes of a replaced file are dropped.
 *
 * @throws {@link BadRequestError} 400 naming the field (name, price, file), 409 when the name
 *   exists and `replace` is not set
 */
export async function uploadMedia(upload: MediaUpload): Promise<AdminMediaRow> {
  const { name, price } = parseInput(uploadFieldsSchema(await tokenUnit()), upload);
  const contentType = checkImage(name, upload.bytes, upload.declaredType ?? "");
  const existing = await db().media.findUnique({ where: { path: name }, select: { id: true } });
  if (existing && !upload.replace)
    throw new BadRequestError(`name: ${name} exists (tick "replace" to overwrite it)`, 409);

  const dir = mediaUploadDir();
  await mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${name}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    await writeFile(tmp, upload.bytes, { flag: "wx" });
    await rename(tmp, path.join(dir, name));
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  forgetMediaBytes(name);
  const data = {
    price: price.toString(),
    contentType,
    status: 200,
    size: upload.bytes.length,
  };
  const m = await db().media.upsert({
    where: { path: name },
    create: { path: name, ...data },
    update: data,
  });
  return { path: m.path, contentType, size: data.size, price, status: m.status };
}

/**
 * The upload of an admin form (`file`, `name`, `price`, `replace`); the name defaults to the
 * file's own.
 *
 * @throws {@link BadRequestError} as {@link uploadMedia}, and 400 when no file was sent
 */
export async function uploadMediaForm(form: FormData): Promise<AdminMediaRow> {
  const file = form.get("file");
  if (!(file instanceof Blob) || file.size === 0)
    throw new BadRequestError("file: choose an image to upload");
  if (file.size > MAX_IMAGE_BYTES)
    throw new BadRequestError(`file: is larger than ${MAX_IMAGE_BYTES / 1024 / 1024} MiB`);
  const typedName = String(form.get("name") ?? "").trim();
  const fileName = file instanceof File ? file.name : "";
  return uploadMedia({
    name: typedName || fileName,
    price: String(form.get("price") ?? ""),
    bytes: new Uint8Array(await file.arrayBuffer()),
    declaredType: file.type,
    replace: form.get("replace") === "on" || form.get("replace") === "true",
  });
}
