import { formatToken, type TokenUnit } from "@/lib/format";

/** One media file as the table shows it. */
export interface MediaRowProps {
  path: string;
  contentType: string;
  size?: number;
  price: bigint;
}

function bytes(n: number | undefined): string {
  if (n === undefined) return "—";
  return n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KiB`;
}

/** The media store: name, type, size, price and a link to the paid file. */
export function MediaTable({ rows, unit }: { rows: MediaRowProps[]; unit: TokenUnit }) {
  if (rows.length === 0) return <p className="muted">No media files yet.</p>;
  return (
    <table className="admin-table" data-testid="media-table">
      <thead>
        <tr>
          <th>Name</th>
          <th>Type</th>
          <th className="num">Size</th>
          <th className="num">Price</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {rows.map((m) => (
          <tr key={m.path} data-testid={`media-row-${m.path}`}>
            <td>
              <code>{m.path}</code>
            </td>
            <td>{m.contentType}</td>
            <td className="num">{bytes(m.size)}</td>
            <td className="num" data-testid={`media-price-${m.path}`}>
              {formatToken(m.price, unit)}
            </td>
            <td>
              <a href={`/media/${m.path}`} target="_blank" rel="noreferrer">
                /media/{m.path}
              </a>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
