/**
 * Images uploaded from the admin pages (lib/admin/media-upload.ts) on the real paid media route:
 * sold at their price with the exact bytes, replaced only when asked, and anything that is not a
 * PNG, JPEG, GIF or WebP of at most 5 MiB refused.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { GET as media } from "@/app/media/[...path]/route";
import { listAdminMedia, uploadMedia, uploadMediaForm } from "@/lib/admin/media-upload";
import { db } from "@/lib/db/client";
import { BadRequestError } from "@/lib/errors";
import { call, indexChannel, paymentHeaders, proof } from "../../helpers/paywall";
import { setupSiteFixture, TOKEN, type SiteFixture } from "../../helpers/site-fixture";

/** A real 1×1 PNG. */
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  "base64",
);
const uploadDir = mkdtempSync(path.join(os.tmpdir(), "media-upload-"));
afterAll(() => rmSync(uploadDir, { recursive: true, force: true }));

let f: SiteFixture;
let reader: SiteFixture["readers"][number];
let openBlock: number;
let balance = 0n;

setupSiteFixture(
  async (site) => {
    f = site;
    reader = f.readers[1]!;
    openBlock = await f.openChannel(reader, 100n * TOKEN);
    await indexChannel(f, reader, openBlock, 100n * TOKEN);
  },
  { env: { MEDIA_UPLOAD_DIR: uploadDir } },
);

const get = (name: string, headers: Record<string, string> = {}) =>
  call(media, `/media/${name}`, { path: [name] }, headers);

async function pay(name: string, price: bigint): Promise<Response> {
  const next = balance + price;
  const sig = await proof(f, reader, reader.address, openBlock, next);
  const res = await get(name, paymentHeaders(reader.address, openBlock, next, sig));
  if (res.status === 200) balance = next;
  return res;
}

async function refusal(p: Promise<unknown>): Promise<[number, string]> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BadRequestError);
  return [(err as BadRequestError).status, (err as Error).message];
}

describe("an uploaded image", () => {
  it("is sold at its price at /media/<name> and a paid request gets the exact bytes", async () => {
    const row = await uploadMedia({
      name: "harbour.png",
      price: "0.1",
      bytes: PNG,
      declaredType: "image/png",
    });
    expect(row).toMatchObject({ path: "harbour.png", contentType: "image/png", size: PNG.length });
    expect(readFileSync(path.join(uploadDir, "harbour.png")).equals(PNG)).toBe(true);
    expect(readdirSync(uploadDir).filter((n) => n.endsWith(".tmp"))).toEqual([]);

    const unpaid = await get("harbour.png");
    expect(unpaid.status).toBe(402);
    expect(unpaid.headers.get("RDN-Price")).toBe((TOKEN / 10n).toString());
    const paid = await pay("harbour.png", TOKEN / 10n);
    expect(paid.status).toBe(200);
    expect(paid.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await paid.arrayBuffer()).equals(PNG)).toBe(true);
    expect((await listAdminMedia()).find((m) => m.path === "harbour.png")?.price).toBe(TOKEN / 10n);
  });

  it("an existing name is a 409 unless replace is set; a replaced file is served at once", async () => {
    const other = Buffer.concat([PNG, Buffer.from("second version")]);
    expect(await refusal(uploadMedia({ name: "harbour.png", price: "0.2", bytes: other }))).toEqual(
      [409, 'name: harbour.png exists (tick "replace" to overwrite it)'],
    );
    await uploadMedia({ name: "harbour.png", price: "0.2", bytes: other, replace: true });
    const unpaid = await get("harbour.png");
    expect(unpaid.headers.get("RDN-Price")).toBe((TOKEN / 5n).toString());
    const paid = await pay("harbour.png", TOKEN / 5n);
    expect(Buffer.from(await paid.arrayBuffer()).equals(other)).toBe(true);
  });

  it("a file replaced by another process is served new (the in-memory copy is checked)", async () => {
    const before = await pay("harbour.png", TOKEN / 5n);
    const served = Buffer.from(await before.arrayBuffer());
    // Another instance replaced the file: this process's cache was not told.
    const third = Buffer.concat([PNG, Buffer.from("third version, longer")]);
    writeFileSync(path.join(uploadDir, "harbour.png"), third);
    const after = await pay("harbour.png", TOKEN / 5n);
    expect(Buffer.from(await after.arrayBuffer()).equals(third)).toBe(true);
    expect(served.equals(third)).toBe(false);
  });

  it("comes from a form: the file's own name unless one is typed", async () => {
    const form = new FormData();
    form.set("file", new File([PNG], "from-form.png", { type: "image/png" }));
    form.set("price", "1");
    form.set("name", "");
    const row = await uploadMediaForm(form);
    expect(row).toMatchObject({ path: "from-form.png", price: TOKEN });
    const empty = new FormData();
    empty.set("price", "1");
    expect(await refusal(uploadMediaForm(empty))).toEqual([400, "file: choose an image to upload"]);
  });
});

describe("refusals", () => {
  const svg = Buffer.from(
    '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
  );
  const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0]);
  const big = Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024)]);
  it.each([
    ["an SVG name", "logo.svg", svg, "", /^name: must end in \.png/],
    [
      "SVG bytes under an image name",
      "logo.png",
      svg,
      "",
      /^file: must be a PNG, JPEG, GIF or WebP/,
    ],
    [
      "SVG declared as its type",
      "logo.png",
      PNG,
      "image/svg+xml",
      /^file: is image\/png, not image\/svg\+xml$/,
    ],
    ["a file over 5 MiB", "big.png", big, "", /^file: is larger than 5 MiB$/],
    ["an empty file", "empty.png", Buffer.alloc(0), "", /^file: is empty$/],
    [
      "JPEG bytes named .png",
      "photo.png",
      jpeg,
      "",
      /^name: \.png does not match the file's type image\/jpeg$/,
    ],
    ["a path in the name", "../x.png", PNG, "", /^name: /],
  ])("%s", async (_what, name, bytes, declaredType, message) => {
    const [status, text] = await refusal(uploadMedia({ name, price: "0.1", bytes, declaredType }));
    expect(status).toBe(400);
    expect(text).toMatch(message);
    expect(await db().media.findUnique({ where: { path: name } })).toBeNull();
  });

  it("a price of 0 is refused", async () => {
    expect(await refusal(uploadMedia({ name: "free.png", price: "0", bytes: PNG }))).toEqual([
      400,
      "price: must be more than 0",
    ]);
  });
});

it("a seeded file (not in the upload directory) is still served from content/media", async () => {
  await db().media.create({
    data: { path: "kitten.jpg", price: TOKEN.toString(), contentType: "image/jpeg" },
  });
  const paid = await pay("kitten.jpg", TOKEN);
  expect(paid.status).toBe(200);
  const bytes = new Uint8Array(await paid.arrayBuffer());
  expect([bytes[0], bytes[1]]).toEqual([0xff, 0xd8]);
});
