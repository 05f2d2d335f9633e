/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
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
