/** @type {import("next").NextConfig} */
const nextConfig = {
  // The sign-in pages never need to be framed; refuse it everywhere (clickjacking).
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Frame-Options", value: "DENY" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
        ],
      },
    ];
  },
  poweredByHeader: false,
  // PGlite loads its WebAssembly and data files from its own package folder: keep it (and the
  // Postgres driver) out of the bundles.
  serverExternalPackages: ["@electric-sql/pglite", "pg"],
};

module.exports = nextConfig;
