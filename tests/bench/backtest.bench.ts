import { bench, describe } from "vitest";
import { replayTraffic } from "@/lib/admin/backtest";
import { config } from "@/lib/config";
import { currentSendPolicySettings } from "@/lib/defenses/limits";
import type { TrafficRecord } from "@/lib/events/types";

// One backtest replay of a full record stream (`npx vitest bench --run tests/bench/backtest.bench.ts`):
// two weeks of sends to 20 countries and 2000 ranges from 5000 networks, 80 % verified a minute later.
const RECORDS = config.backtest.recordsKept.value;
const start = Date.now() - 14 * 86_400_000;
const step = (14 * 86_400_000) / RECORDS;
const records: TrafficRecord[] = [];
for (let index = 0; records.length < RECORDS; index += 1) {
  const at = Math.round(start + records.length * step);
  const country = `C${String.fromCharCode(65 + (index % 20))}`;
  const range = `+62${800 + (index % 2000)}`;
  records.push({
    outcome: "sent",
    at,
    country,
    range,
    prefix: `${range}${index % 100}`,
    subnet: `198.51.${index % 250}.0/24-${index % 5000}`,
    pendingId: `p${index}`,
    priceMills: 100,
  });
  if (index % 5 !== 4) records.push({ outcome: "verified", at: at + 60_000, pendingId: `p${index}` });
}
const settings = currentSendPolicySettings();

describe(`backtest, ${RECORDS} records`, () => {
  bench(
    "replay against the settings in force",
    async () => {
      await replayTraffic(records, settings);
    },
    { iterations: 3, warmupIterations: 0 },
  );
});
