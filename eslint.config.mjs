import nextVitals from "eslint-config-next/core-web-vitals";
import nextTypeScript from "eslint-config-next/typescript";

const config = [
  ...nextVitals,
  ...nextTypeScript,
  // Settings are validated once, before anything that uses them loads: the env module imports only
  // the config and pure parsers, and those never import the env module or the store.
  {
    files: ["lib/env.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: [
                ...["./*", "../*", "@/lib/*", "!@/lib/config", "!@/lib/phone", "!@/lib/http"],
                ...["@/lib/http/*", "!@/lib/http/refusals"],
                ...["!@/lib/client-ip", "@/lib/client-ip/*", "!@/lib/client-ip/settings"],
              ],
              message:
                "lib/env.ts imports only lib/config.ts and pure modules (lib/phone.ts, lib/client-ip/settings.ts, lib/http/refusals.ts).",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["lib/config.ts", "lib/phone.ts", "lib/client-ip/settings.ts", "lib/client-ip/ip-address.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@/lib/env", "@/lib/store", "@/lib/store/*", "**/env", "**/store", "**/store/*"],
              message:
                "The config and the parsers lib/env.ts uses must not read the environment or the store.",
            },
          ],
        },
      ],
    },
  },
  // Playwright fixtures receive a callback named `use`, which is not React's hook.
  { files: ["tests/e2e/**"], rules: { "react-hooks/rules-of-hooks": "off" } },
  {
    ignores: [
      ".next/**",
      "node_modules/**",
      "test-results/**",
      "playwright-report/**",
      "bench-results/**",
      "next-env.d.ts",
    ],
  },
];

export default config;
