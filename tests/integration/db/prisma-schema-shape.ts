/**
 * The SchemaShape that prisma/schema.prisma describes, read from its model blocks with Prisma's
 * naming conventions (`Model_a_b_key` for unique, `Model_a_idx` for plain indexes), so a model or
 * field added to the schema without a migration (or the reverse) shows up as a difference.
 * Handles the subset of the schema language the project uses and refuses the rest (@map, enums,
 * views, ...) so that nothing is skipped silently.
 */
import type { ForeignKeyShape, SchemaShape, TableShape, TypeClass } from "./schema-compare";

const SCALARS: Record<string, TypeClass> = {
  String: "text",
  Int: "integer",
  BigInt: "bigint",
  Boolean: "boolean",
  DateTime: "datetime",
  Float: "float",
  Decimal: "decimal",
  Bytes: "bytes",
  Json: "json",
};

const ACTIONS: Record<string, string> = {
  Cascade: "CASCADE",
  Restrict: "RESTRICT",
  NoAction: "NO ACTION",
  SetNull: "SET NULL",
  SetDefault: "SET DEFAULT",
};

/** The argument text of attribute `@name(...)` in `attrs` (parentheses balanced), if present. */
function attributeArgs(attrs: string, name: string): string | undefined {
  const at = attrs.search(new RegExp(`@${name}\\(`));
  if (at < 0) return undefined;
  let depth = 0;
  const start = attrs.indexOf("(", at);
  for (let i = start; i < attrs.length; i++) {
    if (attrs[i] === "(") depth++;
    if (attrs[i] === ")" && --depth === 0) return attrs.slice(start + 1, i);
  }
  throw new Error(`unbalanced parentheses in ${attrs}`);
}

const list = (text: string | undefined): string[] =>
  (text?.match(/\[([^\]]*)\]/)?.[1] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

function schemaDefault(args: string | undefined): string {
  if (args === undefined) return "none";
  if (args === "autoincrement()") return "autoincrement";
  if (args === "now()") return "CURRENT_TIMESTAMP";
  if (/^"(.*)"$/.test(args)) return `'${args.slice(1, -1)}'`;
  if (/^(true|false)$/.test(args)) return args.toUpperCase();
  if (/^-?\d+(\.\d+)?$/.test(args)) return args;
  throw new Error(`unsupported @default(${args})`);
}

/** The tables, columns, keys and indexes that the models of a Prisma schema stand for. */
export function prismaSchemaShape(text: string): SchemaShape {
  const unsupported = text.match(/^\s*(enum|view|type)\s+\w+\s*\{|@map\(|@@map\(|@@schema\(/m);
  if (unsupported) throw new Error(`prisma schema: "${unsupported[0]}" is not supported here`);
  const shape: SchemaShape = {};
  const modelNames = [...text.matchAll(/^model\s+(\w+)\s*\{/gm)].map((m) => m[1]!);
  for (const block of text.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)) {
    const model = block[1]!;
    const table: TableShape = { columns: {}, primaryKey: [], indexes: {}, foreignKeys: [] };
    for (const raw of block[2]!.split("\n")) {
      const line = raw.replace(/\/\/.*$/, "").trim();
      if (!line) continue;
      if (line.startsWith("@@")) {
        const kind = line.match(/^@@(\w+)/)![1]!;
        const cols = list(line);
        if (kind === "id") table.primaryKey = cols;
        else if (kind === "unique" || kind === "index")
          table.indexes[`${model}_${cols.join("_")}_${kind === "unique" ? "key" : "idx"}`] = {
            unique: kind === "unique",
            columns: cols,
          };
        else throw new Error(`${model}: unsupported block attribute ${line}`);
        continue;
      }
      const m = line.match(/^(\w+)\s+(\w+)(\[\])?(\?)?\s*(.*)$/);
      if (!m) throw new Error(`${model}: cannot read field line "${line}"`);
      const [, field, type, isList, optional, attrs] = m as unknown as string[];
      if (SCALARS[type!]) {
        if (isList) throw new Error(`${model}.${field}: scalar lists are not supported here`);
        table.columns[field!] = {
          type: SCALARS[type!]!,
          nullable: Boolean(optional),
          default: schemaDefault(attributeArgs(attrs!, "default")),
        };
        if (/@id\b/.test(attrs!)) table.primaryKey = [field!];
        if (/@unique\b/.test(attrs!))
          table.indexes[`${model}_${field}_key`] = { unique: true, columns: [field!] };
      } else if (modelNames.includes(type!)) {
        const relation = attributeArgs(attrs!, "relation");
        if (!relation?.includes("fields:")) continue; // the other side of a relation
        const fk: ForeignKeyShape = {
          columns: list(relation.match(/fields:\s*\[[^\]]*\]/)?.[0]),
          table: type!,
          references: list(relation.match(/references:\s*\[[^\]]*\]/)?.[0]),
          onDelete: ACTIONS[relation.match(/onDelete:\s*(\w+)/)?.[1] ?? ""] ?? "",
          onUpdate: ACTIONS[relation.match(/onUpdate:\s*(\w+)/)?.[1] ?? "Cascade"] ?? "",
        };
        fk.onDelete ||= optional ? "SET NULL" : "RESTRICT";
        table.foreignKeys.push(fk);
      } else {
        throw new Error(`${model}.${field}: unknown type ${type}`);
      }
    }
    shape[model] = table;
  }
  return shape;
}
