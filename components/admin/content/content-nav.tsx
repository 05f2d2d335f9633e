import Link from "next/link";
import "./content.css";

const LINKS = [
  { href: "/admin/content", label: "Articles" },
  { href: "/admin/content/media", label: "Images" },
  { href: "/admin/content/upstreams", label: "Upstreams" },
] as const;

/** The content section's own links; `current` is the page shown. */
export function ContentNav({ current }: { current: (typeof LINKS)[number]["href"] }) {
  return (
    <nav className="content-subnav" aria-label="Content">
      {LINKS.map(({ href, label }) => (
        <Link key={href} href={href} aria-current={href === current ? "page" : undefined}>
          {label}
        </Link>
      ))}
    </nav>
  );
}
