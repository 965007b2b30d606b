import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { sendGuards } from "@/lib/defenses/send-policy";
import { isRuleName, refusals, statusByCode } from "@/lib/http/refusals";

/** The README's text between `<!-- name:start -->` and `<!-- name:end -->`. */
function readmeBlock(name: string): string | undefined {
  const readme = readFileSync(path.join(process.cwd(), "README.md"), "utf8");
  return new RegExp(`<!-- ${name}:start -->([\\s\\S]*?)<!-- ${name}:end -->`).exec(readme)?.[1]?.trim();
}

/** The README's refusals table, as it must read for lib/http/refusals.ts. */
function expectedRefusalsTable(): string {
  const rows = Object.entries(refusals).map(
    ([rule, { code, summary }]) => `| \`${rule}\` | ${statusByCode[code]} \`${code}\` | ${summary} |`,
  );
  return ["| Rule | Status | What it refuses |", "|---|---|---|", ...rows].join("\n");
}

/** The README's send-policy list, as it must read for the guards in lib/defenses/send-policy.ts. */
function expectedSendPolicyList(): string {
  return sendGuards
    .map(
      ({ name, refuses }, index) =>
        `${index + 1}. **${name}** — ${refuses.map((rule) => `\`${rule}\``).join(", ")}`,
    )
    .join("\n");
}

// On a mismatch, paste the expected text (shown in the diff) into the README.
it("keeps the README's refusals table in step with the refusal catalogue", () => {
  expect(readmeBlock("refusals")).toBe(expectedRefusalsTable());
});

it("lists the send policy's guards in the README in the order they run, with the rules each refuses by", () => {
  expect(readmeBlock("send-policy")).toBe(expectedSendPolicyList());
});

it("names only catalogued rules in the send policy's guards", () => {
  const named = sendGuards.flatMap((guard) => guard.refuses);
  expect(named.length).toBeGreaterThan(10);
  expect(named.filter((rule) => !isRuleName(rule))).toEqual([]);
});
