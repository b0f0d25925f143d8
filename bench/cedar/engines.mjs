// engines.mjs -- the other engines' half of bench/cedar/compare.sh.  Reads
// what bench/cedar/to_cedar wrote into DIR: the shipped policies (each rule
// as Cedar text and as a neutral condition tree) and the (use, donor) pairs
// with caveat's answer and the request.  Asks Cedar (@cedar-policy/cedar-wasm)
// and json-rules-engine, built from the same compiled policies, for every
// pair, and checks that each decides as caveat did: the verdict and the
// deciding rules.  Any disagreement is printed with the use and both
// answers, and the exit status is then 1.  With SECONDS > 0 it then times
// each engine's decisions on one core and prints them beside caveat's
// (DIR/caveat.txt), with the ratios.
//
// A verdict from an engine's answer: Cedar's Allow is permitted; a Deny
// whose reasons hold a forbid is forbidden; one whose reasons are only open
// rules (forbids annotated @effect("open")) is caveat's undetermined (the
// record leaves it open); a Deny with no reason is not-covered.  The
// deciding rules are the reasons of the winning effect.  json-rules-engine
// fires an event per rule that applies and is not overridden; the same
// reading follows.
//
// usage: node engines.mjs DIR [SECONDS]
import { readFileSync, existsSync } from "node:fs";
import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import { Engine } from "json-rules-engine";

const [dir, secondsArg] = process.argv.slice(2);
if (!dir) {
  console.error("usage: node engines.mjs DIR [SECONDS]");
  process.exit(2);
}
const seconds = Number(secondsArg ?? 0);
const policies = JSON.parse(readFileSync(`${dir}/policies.json`, "utf8"));
const pairs = readFileSync(`${dir}/pairs.jsonl`, "utf8")
  .split("\n")
  .filter((l) => l)
  .map((l) => JSON.parse(l));
// A package's installed version, from its package.json (not every package
// exports that file, so it is read from node_modules beside this script).
const version = (name) =>
  JSON.parse(readFileSync(new URL(`./node_modules/${name}/package.json`, import.meta.url), "utf8")).version;

// The effect of each rule, by donor and id.
const effects = {};
for (const [donor, policy] of Object.entries(policies)) {
  effects[donor] = {};
  for (const rule of policy.rules) effects[donor][rule.tree.id] = rule.tree.effect;
}

// caveat's reading of the rules that apply: forbid wins, then open, then
// permit; none is not-covered.
function verdictOf(donor, applying) {
  for (const [effect, verdict] of [
    ["forbid", "forbidden"],
    ["open", "undetermined"],
    ["permit", "permitted"],
  ]) {
    const rules = applying.filter((id) => effects[donor][id] === effect);
    if (rules.length) return { verdict, rules: rules.sort() };
  }
  return { verdict: "not-covered", rules: [] };
}

function agrees(pair, got) {
  if (got.verdict !== pair.verdict) return false;
  const want = [...pair.rules].sort();
  // caveat lists at most 16 deciding rules (rules_truncated past them).
  if (pair.rules_truncated) return want.every((id) => got.rules.includes(id)) && got.rules.length > want.length;
  return want.length === got.rules.length && want.every((id, i) => id === got.rules[i]);
}

// ------------------------------------------------------------------ Cedar

for (const [donor, policy] of Object.entries(policies)) {
  const staticPolicies = {};
  for (const rule of policy.rules) staticPolicies[rule.tree.id] = rule.cedar;
  const parsed = cedar.preparsePolicySet(donor, { staticPolicies });
  if (parsed.type !== "success") {
    console.error(`cedar: the ${donor} policy does not parse:`, JSON.stringify(parsed.errors));
    process.exit(2);
  }
}
const cedarRequests = pairs.map((pair) => ({
  principal: { type: "Operator", id: "operator" },
  action: { type: "Action", id: pair.action },
  resource: { type: "Target", id: "target" },
  context: pair.context,
  preparsedPolicySetId: pair.donor,
  entities: [],
}));

function cedarAnswer(pair, request) {
  const answer = cedar.statefulIsAuthorized(request);
  if (answer.type !== "success") return { verdict: "error", rules: [], detail: JSON.stringify(answer.errors) };
  const { decision, diagnostics } = answer.response;
  if (diagnostics.errors.length) return { verdict: "error", rules: [], detail: JSON.stringify(diagnostics.errors) };
  if (decision === "allow") return { verdict: "permitted", rules: [...diagnostics.reason].sort() };
  return verdictOf(pair.donor, diagnostics.reason);
}

// ------------------------------------------------------ json-rules-engine

// A tree's leaf as a json-rules-engine condition.  An absent fact is
// caveat's "known not to apply": the engine's operators are false on an
// undefined value, but '!=' and 'not in' true, as caveat's are; comparing
// two facts needs both present ('!=': either absent makes it true).
const operators = {
  true: "equal",
  "==": "equal",
  "!=": "notEqual",
  in: "in",
  "not in": "notIn",
  "<": "lessThan",
  "<=": "lessThanInclusive",
  ">": "greaterThan",
  ">=": "greaterThanInclusive",
};
function jreCondition(node) {
  if (node.all) return { all: node.all.map(jreCondition) };
  if (node.any) return { any: node.any.map(jreCondition) };
  if (node.not) return { not: jreCondition(node.not) };
  const operator = operators[node.op];
  const value =
    node.op === "true"
      ? true
      : node.assumption !== undefined
        ? { fact: node.assumption }
        : node.other_fact !== undefined
          ? { fact: node.other_fact }
          : node.value;
  const leaf = { fact: node.fact, operator, value };
  if (node.other_fact === undefined || !["==", "!="].includes(node.op)) return leaf;
  const absent = [
    { fact: node.fact, operator: "absent", value: null },
    { fact: node.other_fact, operator: "absent", value: null },
  ];
  return node.op === "!="
    ? { any: [leaf, ...absent] }
    : { all: [leaf, ...absent.map((a) => ({ not: a }))] };
}

function jreApplies(tree) {
  const all = [
    { fact: "action", operator: "in", value: tree.actions },
    { fact: "date", operator: "greaterThanInclusive", value: tree.from },
  ];
  if (tree.until !== null) all.push({ fact: "date", operator: "lessThan", value: tree.until });
  if (tree.when) all.push(jreCondition(tree.when));
  return { all };
}

const jreEngines = {};
for (const [donor, policy] of Object.entries(policies)) {
  const engine = new Engine([], { allowUndefinedFacts: true });
  engine.addOperator("absent", (factValue) => factValue === undefined);
  const byId = Object.fromEntries(policy.rules.map((r) => [r.tree.id, r.tree]));
  const scope = [{ fact: "donor", operator: "equal", value: policy.donor }];
  if (policy.governs.length) scope.push({ fact: "system", operator: "in", value: policy.governs });
  for (const { tree } of policy.rules) {
    const all = [{ any: scope }, jreApplies(tree)];
    if (tree.beaten_by.length) all.push({ not: { any: tree.beaten_by.map((id) => jreApplies(byId[id])) } });
    engine.addRule({ name: tree.id, conditions: { all }, event: { type: tree.effect, params: { id: tree.id } } });
  }
  jreEngines[donor] = engine;
}
const jreFacts = pairs.map((pair) => ({ ...pair.context, action: pair.action }));

async function jreAnswer(pair, facts) {
  const { events } = await jreEngines[pair.donor].run(facts);
  return verdictOf(
    pair.donor,
    events.map((e) => e.params.id),
  );
}

// --------------------------------------------------------------- agreement

const engines = [
  { name: `Cedar ${cedar.getCedarVersion()} (npm @cedar-policy/cedar-wasm ${version("@cedar-policy/cedar-wasm")})`,
    ask: async (i) => cedarAnswer(pairs[i], cedarRequests[i]),
    time: (i) => cedar.statefulIsAuthorized(cedarRequests[i]) },
  { name: `json-rules-engine ${version("json-rules-engine")} (npm)`,
    ask: (i) => jreAnswer(pairs[i], jreFacts[i]),
    time: (i) => jreEngines[pairs[i].donor].run(jreFacts[i]) },
];
let failed = false;
for (const engine of engines) {
  let disagree = 0;
  for (let i = 0; i < pairs.length; i++) {
    const got = await engine.ask(i);
    if (agrees(pairs[i], got)) continue;
    disagree++;
    failed = true;
    if (disagree <= 20)
      console.log(
        `DISAGREE ${engine.name}: use ${pairs[i].use}, donor ${pairs[i].donor}: caveat ${pairs[i].verdict} ` +
          `(${pairs[i].rules.join(", ")}), engine ${got.verdict} (${got.rules.join(", ")})` +
          (got.detail ? ` ${got.detail}` : "") +
          `\n  request: action ${pairs[i].action}, context ${JSON.stringify(pairs[i].context)}`,
      );
  }
  console.log(`${engine.name}: ${pairs.length} (use, donor) pairs compared, ${disagree} disagree`);
}
if (failed || !pairs.length) process.exit(1);
if (!(seconds > 0)) process.exit(0);

// ------------------------------------------------------------------ timing

// caveat's figures, as to_cedar timed them (before node started, so that
// the two never share the core).
const caveat = {};
if (existsSync(`${dir}/caveat.txt`))
  for (const line of readFileSync(`${dir}/caveat.txt`, "utf8").split("\n").filter((l) => l)) {
    console.log(line);
    const figure = /memo (off|on), .*: (\d+) decisions\/s of CPU time/.exec(line);
    if (figure) caveat[`memo ${figure[1]}`] = Number(figure[2]);
  }
console.log(`node ${process.version}, one thread`);
// Wall time and the process's CPU time (user + system: node's own threads,
// the garbage collector's among them, count too); the ratios are of CPU
// time, which the machine's load moves far less.
for (const engine of engines) {
  let count = 0;
  let elapsed = 0;
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  do {
    for (let k = 0; k < 1000; k++, count++) await engine.time(count % pairs.length);
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  } while (elapsed < seconds);
  const used = process.cpuUsage(cpuStart);
  const cpu = (used.user + used.system) / 1e6;
  const perSecond = count / cpu;
  const ratios = Object.entries(caveat)
    .map(([memo, figure]) => `caveat (${memo}) ${(figure / perSecond).toFixed(0)}x as fast`)
    .join(", ");
  console.log(
    `${engine.name}: ${Math.round(perSecond)} decisions/s of CPU time (${((cpu / count) * 1e6).toFixed(2)} us/decision), ` +
      `${Math.round(count / elapsed)} of wall time` +
      (ratios ? `; ${ratios}` : ""),
  );
}
