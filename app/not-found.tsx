import Link from "next/link";
import { connection } from "next/server";

/**
 * The site's 404 page, rendered per request (as every page but /about) so that its scripts carry
 * the CSP nonce of proxy.ts.
 */
export default async function NotFound() {
  await connection();
  return (
    <>
      <h1>Not found</h1>
      <p>There is no page at this address.</p>
      <p>
        <Link href="/">Back to the articles</Link>
      </p>
    </>
  );
}
