/**
 * The schema comparison behind tests/integration/db/migrations.test.ts finds every kind of
 * divergence between two providers' schemas, and reads models from a Prisma schema.
 */
import { describe, expect, it } from "vitest";
import { prismaSchemaShape } from "../../integration/db/prisma-schema-shape";
import {
  compareSchemas,
  normaliseDefault,
  postgresTypeClass,
  ROWID,
  sqliteTypeClass,
  type SchemaShape,
  type TableShape,
} from "../../integration/db/schema-compare";

/** A two-table schema; `change` edits a deep copy. */
function buildSchema(change: (s: SchemaShape) => void = () => {}): SchemaShape {
  const channel: TableShape = {
    columns: {
      id: { type: "integer", nullable: false, default: "autoincrement" },
      state: { type: "text", nullable: false, default: "'open'" },
      settleBlock: { type: "integer", nullable: true, default: "none" },
    },
    primaryKey: ["id"],
    indexes: { Channel_state_idx: { unique: false, columns: ["state"] } },
    foreignKeys: [],
  };
  const payment: TableShape = {
    columns: {
      id: { type: "integer", nullable: false, default: "autoincrement" },
      channelId: { type: "integer", nullable: false, default: "none" },
    },
    primaryKey: ["id"],
    indexes: {},
    foreignKeys: [
      {
        columns: ["channelId"],
        table: "Channel",
        references: ["id"],
        onDelete: "CASCADE",
        onUpdate: "CASCADE",
      },
    ],
  };
  const schema = structuredClone({ Channel: channel, Payment: payment });
  change(schema);
  return schema;
}

describe("compareSchemas", () => {
  it("finds nothing between equal schemas", () => {
    expect(compareSchemas(buildSchema(), buildSchema())).toEqual([]);
  });

  it.each<[string, (s: SchemaShape) => void, string]>([
    ["a missing table", (s) => delete s.Payment, "table Payment: only in a"],
    [
      "an added column",
      (s) => (s.Channel!.columns.extra = { type: "text", nullable: true, default: "none" }),
      "Channel.extra: column only in b",
    ],
    [
      "another type class",
      (s) => (s.Channel!.columns.settleBlock!.type = "bigint"),
      "Channel.settleBlock: type a=integer b=bigint",
    ],
    [
      "another nullability",
      (s) => (s.Channel!.columns.state!.nullable = true),
      "Channel.state: nullable a=false b=true",
    ],
    [
      "another default",
      (s) => (s.Channel!.columns.state!.default = "'closed'"),
      "Channel.state: default a='open' b='closed'",
    ],
    [
      "a lost default",
      (s) => (s.Channel!.columns.id!.default = "none"),
      "Channel.id: default a=autoincrement b=none",
    ],
    [
      "another primary key",
      (s) => (s.Channel!.primaryKey = ["id", "state"]),
      "Channel: primary key a=(id) b=(id, state)",
    ],
    [
      "a missing index",
      (s) => (s.Channel!.indexes = {}),
      "Channel: index Channel_state_idx only in a",
    ],
    [
      "an index made unique",
      (s) => (s.Channel!.indexes.Channel_state_idx!.unique = true),
      "Channel: index Channel_state_idx a=(state) b=unique (state)",
    ],
    [
      "an index on other columns",
      (s) => (s.Channel!.indexes.Channel_state_idx!.columns = ["state", "id"]),
      "Channel: index Channel_state_idx a=(state) b=(state, id)",
    ],
    [
      "another delete rule",
      (s) => (s.Payment!.foreignKeys[0]!.onDelete = "RESTRICT"),
      "Payment: foreign key (channelId) → Channel(id) on delete CASCADE on update CASCADE only in a",
    ],
  ])("reports %s", (_, change, expected) => {
    expect(compareSchemas(buildSchema(), buildSchema(change))).toContain(expected);
  });

  it("names the sides it was given", () => {
    const diff = compareSchemas(
      buildSchema(),
      buildSchema((s) => delete s.Channel),
      ["sqlite", "postgres"],
    );
    expect(diff).toContain("table Channel: only in sqlite");
  });

  it("lets SQLite's rowid stand for autoincrement or no default, nothing else", () => {
    const rowid = buildSchema((s) => (s.Channel!.columns.id!.default = ROWID));
    expect(compareSchemas(rowid, buildSchema())).toEqual([]);
    const none = buildSchema((s) => (s.Channel!.columns.id!.default = "none"));
    expect(compareSchemas(rowid, none)).toEqual([]);
    const literal = buildSchema((s) => (s.Channel!.columns.id!.default = "1"));
    expect(compareSchemas(rowid, literal)).toEqual([`Channel.id: default a=${ROWID} b=1`]);
  });
});

describe("normalised defaults and types", () => {
  it.each([
    [null, "none"],
    ["'open'::text", "'open'"],
    ["'open'", "'open'"],
    ["CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP"],
    ["current_timestamp", "CURRENT_TIMESTAMP"],
    ["false", "FALSE"],
    ["(0)", "0"],
    [`nextval('"Channel_id_seq"'::regclass)`, "autoincrement"],
  ])("default %s reads as %s", (raw, expected) => {
    expect(normaliseDefault(raw)).toBe(expected);
  });

  it.each([
    ["TEXT", "text", "text"],
    ["INTEGER", "integer", "integer"],
    ["BOOLEAN", "boolean", "boolean"],
    ["DATETIME", "timestamp without time zone", "datetime"],
    ["BIGINT", "bigint", "bigint"],
  ])("SQLite %s and PostgreSQL %s are both %s", (sqlite, postgres, expected) => {
    expect(sqliteTypeClass(sqlite)).toBe(expected);
    expect(postgresTypeClass(postgres)).toBe(expected);
  });

  it("keeps unknown types apart", () => {
    expect(sqliteTypeClass("GEOMETRY")).toBe("unknown:GEOMETRY");
    expect(postgresTypeClass("point")).not.toBe(sqliteTypeClass("GEOMETRY"));
  });
});

describe("prismaSchemaShape", () => {
  const schema = `
model Channel {
  id        Int       @id @default(autoincrement())
  state     String    @default("open")
  /// comment
  settleBlock Int?
  payments  Payment[]
  @@index([state])
}

model Payment {
  id        Int     @id @default(autoincrement())
  channelId Int
  channel   Channel @relation(fields: [channelId], references: [id], onDelete: Cascade)
}
`;

  it("reads columns, keys, indexes and relations the way Prisma names them", () => {
    expect(compareSchemas(prismaSchemaShape(schema), buildSchema())).toEqual([]);
  });

  it("shows a model added without a migration", () => {
    const added = `${schema}\nmodel Note {\n  id Int @id\n  text String @unique\n}\n`;
    expect(compareSchemas(prismaSchemaShape(added), buildSchema())).toEqual([
      "table Note: only in a",
    ]);
    expect(prismaSchemaShape(added).Note!.indexes).toEqual({
      Note_text_key: { unique: true, columns: ["text"] },
    });
  });

  it("refuses what it cannot read instead of skipping it", () => {
    expect(() => prismaSchemaShape(`model A {\n  id Int @id @map("a_id")\n}`)).toThrow(/@map/);
    expect(() => prismaSchemaShape(`model A {\n  id Unknown @id\n}`)).toThrow(/unknown type/);
  });
});
