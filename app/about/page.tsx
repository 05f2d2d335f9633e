import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = {
  title: "How paying works",
  description: "Pay per article with a payment channel: one deposit, then a signature per read",
};

// The same for every reader and every deployment: prerendered at build time, served as a file
// (proxy.ts gives it a CSP naming its inline scripts by hash). It is also the bench's reference
// for what serving a file costs (`npm run bench`, row "static page").
export const dynamic = "force-static";

// GET /about — how a reader pays, what a channel is, what happens to the unspent deposit
export default function AboutPage() {
  return (
    <article className="about">
      <h1>How paying works</h1>
      <p className="teaser">
        <em>
          Every article here has a price of a few cents. You pay it with a signature from your
          wallet, not with a subscription, an account or a card.
        </em>
      </p>
      <h2>A channel, opened once</h2>
      <p>
        The first time you buy, your wallet locks a deposit in the site&apos;s payment-channel
        contract on Ethereum: a one-way channel from you to this site. The deposit stays yours until
        you spend it; the site cannot take more than you have signed for.
      </p>
      <h2>A signature per article</h2>
      <p>
        Each article you open is paid by a balance proof: a message your wallet (or the session key
        it allowed) signs, saying how much of the deposit the site may now claim in total. No
        transaction is sent and no fee is paid per article. With auto-pay on, articles you open
        yourself are paid without asking, within the limits you set.
      </p>
      <h2>Your money back</h2>
      <p>
        Close the channel from <Link href="/wallet">your wallet page</Link> whenever you like: the
        site signs the close at its last accepted proof and the rest of the deposit comes back to
        you at once. Should the site not answer, you can close on your own and take the rest after
        the contract&apos;s challenge period.
      </p>
      <h2>Programs pay too</h2>
      <p>
        Agents and scripts pay the same prices with the <code>paychan</code> command-line client,
        the TypeScript library, or any x402 client; <Link href="/llms.txt">/llms.txt</Link>{" "}
        describes the site for them.
      </p>
      <p>
        <Link href="/">Back to the articles</Link>
      </p>
    </article>
  );
}
