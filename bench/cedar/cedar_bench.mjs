// cedar_bench.mjs -- the Cedar half of bench/cedar/compare.sh: builds a
// Cedar request from each use and caveat's result for it (the facts caveat
// derived: territory, region, distance to the border, the system's class and
// reach), checks that Cedar decides as caveat did (permitted = Allow;
// forbidden and not-covered = Deny), then times Cedar's decisions on one
// core.  Uses whose verdict is undetermined are left out: Cedar has no
// unknown facts.  Writes the uses it compared to OUT, for caveat's own run.
//
// usage: node cedar_bench.mjs USES.jsonl RESULTS.jsonl OUT.jsonl [SECONDS]
import { readFileSync, writeFileSync } from "node:fs";
import * as cedar from "@cedar-policy/cedar-wasm/nodejs";

const [usesPath, resultsPath, outPath, secondsArg] = process.argv.slice(2);
const seconds = Number(secondsArg ?? 1);
const lines = (path) => readFileSync(path, "utf8").split("\n").filter((l) => l && !l.startsWith("#"));
const uses = lines(usesPath).map((l) => JSON.parse(l));
const results = lines(resultsPath).map((l) => JSON.parse(l));

const day = (iso) => Math.round(Date.parse(iso + "T00:00:00Z") / 86400000);
const tenths = (km) => (km === null || km === undefined ? -1 : Math.round(km * 10));

const requests = [];
const compared = [];
let mismatches = 0;
uses.forEach((use, i) => {
  const r = results[i];
  // The US policy's verdict, wherever the result lists it (the donors a
  // use is about come first).
  const v = r && r.verdicts && r.verdicts.find((x) => x.donor === "US");
  if (!v || v.verdict === "undetermined") return;
  // A donor the use is not about has a short verdict: no facts, no assumptions.
  const used = v.facts_used ?? {};
  const assumed = v.assumptions ?? {};
  const context = {
    donor: r.facts.donor ?? "",
    date: day(v.date),
    territory: r.facts.territory ?? "",
    region: r.facts.region ?? "",
    border_dkm: r.facts.border_km === null ? 0 : tenths(r.facts.border_km),
    range_dkm: tenths(r.facts.range_km),
    system_class: r.facts.system_class ?? "",
    operator_kind: r.facts.operator_kind ?? "",
    recipient_kind: used.recipient_kind?.value ?? "",
    target: use.target ?? "",
    purpose: use.purpose ?? "",
    cross_border_attack: use.cross_border_attack === true,
    near_border_dkm: tenths(assumed.near_border_km ?? 100),
    long_range_dkm: tenths(assumed.long_range_km ?? 150),
  };
  const request = {
    principal: { type: "Operator", id: "operator" },
    action: { type: "Action", id: use.action ?? "unknown" },
    resource: { type: "Target", id: "target" },
    context,
    preparsedPolicySetId: "us",
    entities: [],
  };
  requests.push({ id: use.id, request, want: v.verdict === "permitted" ? "allow" : "deny" });
  compared.push(JSON.stringify(use));
});

const policyText = readFileSync(new URL("./us.cedar", import.meta.url), "utf8");
const parsed = cedar.preparsePolicySet("us", { staticPolicies: policyText });
if (parsed.type !== "success") {
  console.error("cedar: the policy does not parse:", JSON.stringify(parsed.errors));
  process.exit(2);
}
for (const { id, request, want } of requests) {
  const answer = cedar.statefulIsAuthorized(request);
  const got = answer.type === "success" ? answer.response.decision : "error";
  if (got !== want) {
    mismatches++;
    console.error(`cedar: ${id}: caveat says ${want}, Cedar ${got}`, JSON.stringify(answer.errors ?? answer.response?.diagnostics ?? ""));
  }
}
writeFileSync(outPath, compared.join("\n") + "\n");

let count = 0;
const start = process.hrtime.bigint();
let elapsed = 0;
do {
  for (let k = 0; k < 1000; k++, count++) cedar.statefulIsAuthorized(requests[count % requests.length].request);
  elapsed = Number(process.hrtime.bigint() - start) / 1e9;
} while (elapsed < seconds);
console.log(`cedar ${cedar.getCedarVersion()} (npm @cedar-policy/cedar-wasm, node ${process.version}): ` +
  `${requests.length} uses compared, ${mismatches} disagree; ` +
  `${Math.round(count / elapsed)} decisions/s (${((elapsed / count) * 1e9).toFixed(1)} ns/decision)`);
process.exit(mismatches ? 1 : 0);
