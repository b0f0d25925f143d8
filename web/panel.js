// panel.js -- names instead of codes, and a use's panel.  The names come
// from the catalogs the server (or a static copy made by 'caveat site')
// offers as files: data/kinds.json (donors), data/systems.json,
// data/operators.json, data/regions.json, data/borders.json (countries).
// The panel leads with the answer: the verdict of the donors whose weapon
// the use involved, their deciding rules with the reasons, and the sources
// as links; the donors whose weapon it was not are folded away below.
"use strict";

const NAMES = { donor: {}, system: {}, systemClass: {}, systemDonors: {}, operator: {},
                region: {}, country: {} };

async function loadNames() {
  const get = async (path) => {
    try { const r = await fetch(path); return r.ok ? await r.json() : null; } catch (_) { return null; }
  };
  const [kinds, systems, operators, regions, borders] = await Promise.all(
    ["data/kinds.json", "data/systems.json", "data/operators.json", "data/regions.json",
     "data/borders.json"].map(get));
  for (const d of (kinds && kinds.donors) || []) NAMES.donor[d.id] = d.name;
  for (const s of (systems && systems.systems) || []) {
    NAMES.system[s.id] = s.name;
    NAMES.systemClass[s.id] = s.class;
    NAMES.systemDonors[s.id] = s.donors || [];
  }
  for (const o of (operators && operators.operators) || []) NAMES.operator[o.id] = o.name;
  for (const g of (regions && regions.regions) || []) NAMES.region[g.code] = g.name;
  for (const c of (borders && borders.countries) || []) NAMES.country[c.code] = c.name;
}

const nameOf = (kind, code) => (code && NAMES[kind][code]) || code;
const donorName = (code) => nameOf("donor", code);
const words = (s) => String(s).replace(/-/g, " ");
// "the United States", "the Netherlands"; other names as they are.
const withThe = (name) => /^(United |Netherlands|Czech Republic)/.test(name) ? "the " + name : name;
const listWords = (items, joiner = "and") => items.length <= 1 ? items.join("") :
  items.slice(0, -1).join(", ") + " " + joiner + " " + items[items.length - 1];
const possessive = (code) => withThe(donorName(code)) + "'s";

// Where a use is, in words: "Belgorod Oblast, Russia".
function placeWords(territory, region) {
  const parts = [];
  if (region && region !== "unknown") parts.push(nameOf("region", region));
  if (territory && territory !== "XX") parts.push(nameOf("country", territory));
  return parts.join(", ");
}

// A short headline for a use: "HIMARS strike, Belgorod Oblast, Russia".
function headline(facts, info) {
  const what = [facts.system ? nameOf("system", facts.system) : info.system,
                facts.action || info.action].filter((x) => x).join(" ");
  const where = placeWords(facts.territory, facts.region) || info.place;
  return [what ? what.charAt(0).toUpperCase() + what.slice(1) : "A use", where].filter((x) => x)
    .join(", ");
}

const VERDICT_WORD = { permitted: "Permitted", forbidden: "Forbidden", undetermined: "Undetermined",
                       "not-covered": "Not covered" };
const mark = (verdict) => '<span class="mark verdict-' + escapeHtml(verdict) + '" aria-hidden="true"></span>';

function dl(pairs) {
  const items = pairs.filter(([, v]) => v !== undefined && v !== null && v !== "");
  return items.length ? "<dl>" + items.map(([k, v]) => "<dt>" + escapeHtml(k) + "</dt><dd>" +
    escapeHtml(v) + "</dd>").join("") + "</dl>" : "";
}

// A branch's condition in words: a value, a list of values, or their negation;
// any other form as it is.
function condition(name, x) {
  const show = (v) => name === "donor" ? donorName(v) : name === "region" ? nameOf("region", v) :
    name === "operator" ? nameOf("operator", v) : name === "system" ? nameOf("system", v) : v;
  const list = (a) => a.map(show).join(", ");
  if (Array.isArray(x)) return words(name) + " is one of " + list(x);
  if (x && typeof x === "object" && "not" in x && Object.keys(x).length === 1)
    return Array.isArray(x.not) ? words(name) + " is none of " + list(x.not)
                                : words(name) + " is not " + show(x.not);
  if (x && typeof x === "object") return words(name) + " " + JSON.stringify(x);
  return words(name) + " is " + show(x);
}

// One source: the quote (or paraphrase), then outlet, the title linked to
// the address, the date, and whether the words are the source's own.
function citation(c) {
  const said = c.quote !== undefined ? "<blockquote>“" + escapeHtml(c.quote) + "”</blockquote>"
    : c.paraphrase !== undefined ? '<blockquote class="paraphrase">' + escapeHtml(c.paraphrase) +
      "</blockquote>" : "";
  const title = c.title || "";
  const linked = c.url && /^https?:\/\//.test(c.url)
    ? '<a href="' + escapeHtml(c.url) + '" target="_blank" rel="noopener">' +
      escapeHtml(title || c.outlet || c.url) + "</a>" : escapeHtml(title);
  const kind = c.quote !== undefined ? "verbatim" : c.paraphrase !== undefined ? "paraphrase" : "";
  return "<li>" + said + '<p class="source">' + [escapeHtml(c.outlet || "outlet unknown"), linked,
    escapeHtml(c.date || "date unknown"), kind].filter((x) => x).join(" · ") + "</p></li>";
}

// The deciding rules with their reasons, from /v1/policies.
function ruleList(donor, ids, rules) {
  return "<ul class=\"rules\">" + ids.map((id) => {
    const r = (rules[donor] || {})[id] || {};
    const when = r.from ? " (from " + r.from + (r.until ? " to " + r.until : "") + ")" : "";
    return "<li><strong>" + escapeHtml(id) + "</strong>" + escapeHtml(when) +
      (r.strength ? ' <span class="strength">' + escapeHtml(words(r.strength)) + " record</span>" : "") +
      (r.because ? ": " + escapeHtml(r.because) : "") + "</li>";
  }).join("") + "</ul>";
}

// The verdict a donor would give if the weapon were theirs: the branch on
// donor that names them, or the verdict itself when it does not branch.
function ifTheirs(v) {
  for (const b of v.branches || []) {
    const d = b.if && b.if.donor;
    if (d === v.donor || (Array.isArray(d) && d.includes(v.donor))) return b.verdict;
  }
  return v.verdict;
}

// One about donor's verdict in full.
function donorSection(v, rules) {
  const parts = ['<section class="donor-verdict"><h3>' + mark(v.verdict) + escapeHtml(donorName(v.donor)) +
    ": " + escapeHtml(VERDICT_WORD[v.verdict] || v.verdict) + "</h3>"];
  if (v.note) parts.push('<p class="hint">' + escapeHtml(v.note) + "</p>");
  if (v.explanation) parts.push("<p>" + escapeHtml(v.explanation) + "</p>");
  if ((v.rules || []).length) parts.push("<h4>Deciding rules</h4>" + ruleList(v.donor, v.rules, rules));
  if ((v.overridden || []).length)
    parts.push("<p>Overriding " + escapeHtml(listWords(v.overridden)) + ".</p>");
  if ((v.branches || []).length)
    parts.push("<h4>Depends on what the record does not say</h4><ul>" + v.branches.map((b) =>
      "<li>" + mark(b.verdict) + escapeHtml((VERDICT_WORD[b.verdict] || b.verdict) + " if " +
        Object.entries(b.if || {}).map(([k, x]) => condition(k, x)).join(" and ")) +
      ((b.rules || []).length ? " (" + escapeHtml(b.rules.join(", ")) + ")" : "") + "</li>")
      .join("") + "</ul>");
  const assumed = Object.entries(v.assumptions || {}).filter(([, x]) => typeof x !== "object");
  if (assumed.length)
    parts.push('<p class="hint">Assumptions: ' + escapeHtml(assumed.map(([k, x]) =>
      words(k) + " = " + x).join(", ")) + ".</p>");
  if ((v.citations || []).length)
    parts.push("<h4>Sources</h4><ol class=\"sources\">" + v.citations.map(citation).join("") + "</ol>");
  parts.push("</section>");
  return parts.join("");
}

// The panel of one use.  res is its full result; ctx: {about, lead,
// chosen (a Set of donor codes or null), rules (donor -> id -> rule),
// day (the day its rules are of), whatif, info (what the dataset's row
// says), fields (the row's own fields), back ("map" or "list")}.
function panelHtml(res, ctx) {
  const f = res.facts || {}, info = ctx.info || {};
  const verdicts = res.verdicts || [];
  const about = new Set(ctx.about);
  const shown = (d) => about.has(d) && (!ctx.chosen || ctx.chosen.has(d));
  const mine = verdicts.filter((v) => shown(v.donor));
  const others = verdicts.filter((v) => !shown(v.donor));
  const lead = ctx.lead;
  const parts = [];
  parts.push('<p class="panel-nav"><button type="button" id="panel-back">← Back to the ' +
    (ctx.back === "map" ? "map" : "list") + "</button></p>");
  parts.push('<p class="use-id">Use <span class="id">' + escapeHtml(res.id || "") + "</span>" +
    (f.date || info.date ? " · " + escapeHtml(info.date || "") : "") + "</p>");
  parts.push("<h2>" + escapeHtml(headline(f, info)) + "</h2>");
  // The answer first.
  if (lead) {
    const whose = lead.donors.map(donorName);
    const theirs = f.donor ? "whose weapon it was" : ctx.chosen ? "among the donors chosen" :
      lead.donors.length > 1 ? "" : "the one donor that supplied it";
    parts.push('<p class="lead verdict-' + escapeHtml(lead.verdict) + '">' + mark(lead.verdict) +
      "<strong>" + escapeHtml(VERDICT_WORD[lead.verdict] || lead.verdict) + "</strong>" +
      (whose.length ? " for " + escapeHtml(listWords(whose.map(withThe))) : "") +
      (theirs ? " (" + escapeHtml(theirs) + ")" : "") + "</p>");
  } else {
    parts.push('<p class="lead">None of the donors chosen supplied this weapon.</p>');
  }
  parts.push('<p class="hint day-note">' + escapeHtml(ctx.whatif ? "Judged by the rules in force on " +
    ctx.day + " (what-if)." : "Judged by the rules in force on its own day, " + (info.date || ctx.day) + ".") +
    "</p>");
  // Whose weapon, when the record does not say: the outcomes grouped.
  // A donor whose policy governs the system (the US over Storm Shadow) never
  // supplied it: not "if the US's", but its own verdict, on a line apart.
  if (!f.donor && mine.length > 1) {
    const by = {};
    for (const v of mine) if (!v.governs) (by[ifTheirs(v)] = by[ifTheirs(v)] || []).push(v.donor);
    const cases = Object.entries(by)
      .sort((a, b) => STRICTNESS[b[0]] - STRICTNESS[a[0]])
      .map(([verdict, ds]) => "<strong>" + escapeHtml(words(verdict)) + "</strong> if " +
        escapeHtml(listWords(ds.map(possessive), "or")));
    for (const v of mine.filter((x) => x.governs))
      cases.push("<strong>" + escapeHtml(words(v.verdict)) + "</strong> under the policy of " +
        escapeHtml(withThe(donorName(v.donor))) + ", which covers it whoever supplied it");
    parts.push('<p class="depends">Depends on whose weapon: ' + cases.join("; ") + ".</p>");
  }
  if (info.notes) parts.push('<p class="notes">' + escapeHtml(info.notes) + "</p>");
  const sys = f.system ? nameOf("system", f.system) + (f.system_class ? " (" + words(f.system_class) + ")" : "") : "";
  const suppliers = f.system && !f.donor ? (NAMES.systemDonors[f.system] || []).map(donorName) : [];
  parts.push("<h3>What happened</h3>" + dl([
    ["Date", info.date],
    ["Weapon", sys + (f.donor ? ", supplied by " + withThe(donorName(f.donor)) :
      suppliers.length ? ", supplied by " + listWords(suppliers.map(withThe), "or") : "")],
    ["Used by", f.operator ? nameOf("operator", f.operator) : ""],
    ["Target", f.target ? words(f.target) : ""],
    ["Purpose", f.purpose ? words(f.purpose) : ""],
    ["Where", [placeWords(f.territory, f.region) || info.place,
      typeof f.border_km === "number" && f.territory !== "UA" ? f.border_km + " km from Ukraine's border" : ""]
      .filter((x) => x).join("; ")],
  ]));
  // Many donors it may be about (a weapon of unknown origin): the strictest
  // first, each folded under its verdict, so that the answer stays on top.
  const fold = mine.length > 2;
  for (const v of mine.slice().sort((a, b) => STRICTNESS[b.verdict] - STRICTNESS[a.verdict])) {
    const section = donorSection(v, ctx.rules);
    parts.push(fold ? '<details class="donor-fold"><summary>' + mark(v.verdict) +
      escapeHtml(donorName(v.donor) + ": " + (VERDICT_WORD[v.verdict] || v.verdict)) + "</summary>" +
      section + "</details>" : section);
  }
  if (others.length) {
    const notTheirs = others.filter((v) => !about.has(v.donor));
    const unchosen = others.filter((v) => about.has(v.donor));
    const summary = [];
    if (notTheirs.length) summary.push("not their weapon — " + notTheirs.map((v) => donorName(v.donor)).join(", "));
    if (unchosen.length) summary.push("not chosen — " + unchosen.map((v) => donorName(v.donor)).join(", "));
    parts.push('<details class="others"><summary>Other donors: ' + escapeHtml(summary.join("; ")) +
      "</summary><ul>" + others.map((v) => "<li>" + mark(v.verdict) + escapeHtml(donorName(v.donor) + ": " +
        (VERDICT_WORD[v.verdict] || v.verdict) + (about.has(v.donor) ? "" : ", not their weapon")) +
        "</li>").join("") + "</ul></details>");
  }
  const known = ["system", "system_class", "operator", "territory", "region", "place", "border_km",
                 "lat", "lon", "donor", "target", "purpose", "action", "date"];
  const otherFacts = Object.entries(f).filter(([k, x]) => !known.includes(k) && x !== null);
  if (otherFacts.length) parts.push("<details><summary>Other facts</summary>" +
    dl(otherFacts.map(([k, x]) => [words(k), typeof x === "object" ? JSON.stringify(x) : String(x)])) +
    "</details>");
  if (ctx.fields && ctx.fields.length)
    parts.push("<details><summary>The dataset's row</summary>" + dl(ctx.fields) + "</details>");
  return parts.join("");
}
