/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  // Several builds can live side by side (e.g. tests building while another build is served).
  distDir: process.env.NEXT_DIST_DIR ?? ".next",
  poweredByHeader: false,
  // Native addons stay outside the server bundle.
  serverExternalPackages: [
    "better-sqlite3",
    "secp256k1",
    "keccak",
    "@prisma/adapter-better-sqlite3",
  ],
};

export default nextConfig;
