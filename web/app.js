// app.js -- the page of 'caveat serve': a map of uses marked by verdict over
// the de jure borders, a table in step with it, a day slider with a timeline
// of each donor's rules, what-if assumptions, and the panel of a selected use
// (panel.js).  It asks the API for everything: /v1/outlines for the borders,
// /places.tsv for place names, /v1/policies for the timeline, /v1/assess for
// the verdicts (summaries for the whole dataset, sent in pages; the full
// result for the one use a reader opens).  A static copy made by 'caveat
// site' has site.json beside the page instead of the API: the page reads
// the results and each use's verdict history from it.  Plain DOM, Leaflet and
// Leaflet.markercluster; no build step.
//
// A use is shown by its lead verdict: the strictest verdict among the donors
// the use is about (whose weapon it involved), narrowed to the donors the
// reader chose.  The results say which donors those are ("about"); results
// from before they did are read as: the donors whose verdict is not "not
// covered", else every donor.
"use strict";

const VERDICTS = ["forbidden", "undetermined", "permitted", "not-covered"];
const EFFECT_COLOURS = { permit: "#1f7a35", forbid: "#c0281a", open: "#d08a00" };
// How strict a verdict is: the lead verdict is the strictest.
const STRICTNESS = { forbidden: 3, undetermined: 2, permitted: 1, "not-covered": 0 };
const PAGE_BYTES = 4 << 20;     // a dataset goes to the server in pages this big
const MAP_MAX = 20000;          // uses drawn on the map (the table holds all)
const TABLE_MAX = 500;          // rows of the table drawn at once
const BAD_ROWS_SHOWN = 100;
const DEBOUNCE_MS = 250;
const NOTES_KEPT = 160;         // characters of a row's notes kept for the table
const PHONE = window.matchMedia("(max-width: 760px)");
const EMBED = /\/embed(\.html)?$/.test(location.pathname) ||
  new URLSearchParams(location.search).has("embed");
// The borders' credit comes with them (/v1/outlines "attribution": © OpenStreetMap
// contributors for the land polygons, DCW-GMT for gmt-dcw's); the rest is fixed.
const ATTRIBUTION_REST = "Places: caveat gazetteer, GeoNames (CC BY 4.0) · " +
  "<a href=\"https://leafletjs.com\">Leaflet</a>";
let ATTRIBUTION = ATTRIBUTION_REST;

const $ = (id) => document.getElementById(id);
const DAY_MS = 86400000;
const toDay = (iso) => Math.round(Date.parse(iso + "T00:00:00Z") / DAY_MS);
const toIso = (day) => new Date(day * DAY_MS).toISOString().slice(0, 10);
const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) =>
  ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const fmtBytes = (n) => n >= 1 << 20 ? (n / (1 << 20)).toFixed(1) + " MB" :
  n >= 1024 ? (n / 1024).toFixed(0) + " kB" : n + " bytes";

// ------------------------------------------------------------------ state
const state = {
  dataset: null,       // {name, size, format, header, slice(start, end) -> Promise<string>}
  pages: [],           // {start, end} byte ranges of the pages, as sent
  uses: [],            // one per row that was read: {id, day, lat, lon, territory, verdicts, info, page, row}
  bad: [],             // rows that could not be read: {id, line, message}
  donors: [],          // the loaded policies' donors
  chosen: null,        // the donor filter: a Set of donor codes, or null for every donor
  policies: [],        // /v1/policies
  rules: {},           // donor -> rule id -> rule (for the panel's reasons)
  asOf: {},            // donor -> the day its record ends (from full results)
  assumptions: {},     // donor -> {name: default}, from full results
  assume: {},          // name (as sent) -> value: the what-if assumptions
  selected: null,      // id of the selected use
  site: null,          // site.json of a static copy, or null when served
  sort: { key: "date", dir: 1 },
  domain: [toDay("2022-01-01"), toDay("2024-12-31")],
  generation: 0,       // bumped by every new evaluation: late answers are dropped
  controller: null,    // AbortController of the evaluation in flight
  panelKey: null,      // what the panel shown was worked out under
};

// -------------------------------------------------------------------- map
const map = L.map("map", { attributionControl: false, zoomSnap: 0.5, minZoom: 3, maxZoom: 10 })
  .setView([49.5, 34], 5);
// markercluster's zoomToShowLayer() asks the map, on every move until the
// marker shows, whether it has the marker's cluster; once the table or a
// filter has redrawn the markers the marker has none, and Leaflet throws on
// the question.  A missing layer is simply not on the map.
const hasLayer = map.hasLayer.bind(map);
map.hasLayer = (layer) => !!layer && hasLayer(layer);
const attributionControl = L.control.attribution({ prefix: false }).addAttribution(ATTRIBUTION)
  .addTo(map);
L.control.scale({ imperial: false, maxWidth: 140 }).addTo(map);
const borders = L.canvas({ padding: 0.3 }); // one canvas: cheap, and exportable as PNG
// One cluster group per territory: a cluster never holds uses on both sides
// of a border, the line the verdicts turn on.  A cluster is marked by the
// strictest verdict inside; clicking it zooms in, or spreads uses that
// share one spot.
const groups = new Map(); // territory -> cluster group
function groupFor(territory) {
  let g = groups.get(territory);
  if (g) return g;
  g = L.markerClusterGroup({ chunkedLoading: true, maxClusterRadius: 36,
    spiderfyOnMaxZoom: true, showCoverageOnHover: false,
    iconCreateFunction: (c) => {
      let worst = "not-covered";
      for (const m of c.getAllChildMarkers())
        if (STRICTNESS[m.options.verdict] > STRICTNESS[worst]) worst = m.options.verdict;
      const n = c.getChildCount();
      return L.divIcon({ className: "marker-cluster use-cluster verdict-" + worst,
                         html: "<div><span>" + n + "</span></div>", iconSize: [34, 34] });
    } });
  g.territory = territory;
  groups.set(territory, g);
  map.addLayer(g);
  return g;
}
const markers = new Map(); // use id -> marker
const places = { major: L.layerGroup(), minor: L.layerGroup() };

// For tests and the curious.
window.caveat = {
  state, map, reveal: (id) => reveal(id), timeline: () => TIMELINE, lead: (u) => leadOf(u),
  mapped: () => [...markers.values()].map((m) => m.options.verdict),
  // The territories of the uses inside each cluster drawn now.
  clusters: () => {
    const out = [];
    for (const g of groups.values())
      g._featureGroup.eachLayer((l) => {
        if (l instanceof L.MarkerCluster)
          out.push(l.getAllChildMarkers().map((m) => m.options.territory));
      });
    return out;
  },
};

async function loadOutlines() {
  const r = await fetch(state.site ? "outlines.json" : "v1/outlines?step=0.03");
  if (!r.ok) { showError("The borders could not be loaded: " + (await errorText(r))); return; }
  const outlines = await r.json();
  // Whoever shows these borders must credit them (ODbL for the land polygons).
  if (outlines.attribution) {
    attributionControl.removeAttribution(ATTRIBUTION);
    ATTRIBUTION = "Borders: " + escapeHtml(outlines.attribution) + " · " + ATTRIBUTION_REST;
    attributionControl.addAttribution(ATTRIBUTION);
  }
  const of = (kind) => ({ type: "FeatureCollection",
                          features: outlines.features.filter((f) => f.properties.kind === kind) });
  L.geoJSON(of("country"), { renderer: borders, interactive: false,
    style: (f) => ({ color: "#444", weight: 1.2, fillOpacity: 1,
                     fillColor: f.properties.code === "UA" ? "#fff6c8" : "#f3f1ec" }),
  }).addTo(map);
  L.geoJSON(of("region"), { renderer: borders, interactive: false,
    style: { color: "#888", weight: 0.6, dashArray: "3 3", fill: false } }).addTo(map);
}

// Place names from the gazetteer: the first rows (its larger places) from
// zoom 5, all of them from zoom 7.  A 'rank' or 'population' column, when a
// gazetteer has one, orders them instead.
async function loadPlaces() {
  const r = await fetch("places.tsv");
  if (!r.ok) return;
  const lines = (await r.text()).split("\n").filter((l) => l.trim());
  const head = lines.shift().split("\t");
  const col = (name) => head.indexOf(name);
  let rows = lines.map((l) => l.split("\t"));
  const rank = col("population") >= 0 ? col("population") : col("rank");
  if (rank >= 0) rows.sort((a, b) => Number(b[rank]) - Number(a[rank]));
  rows.forEach((p, i) => {
    const lat = Number(p[col("lat")]), lon = Number(p[col("lon")]);
    if (!isFinite(lat) || !isFinite(lon)) return;
    L.marker([lat, lon], { interactive: false, keyboard: false,
      icon: L.divIcon({ className: "place-label", html: escapeHtml(p[col("name")]),
                        iconSize: null, iconAnchor: [2, 8] }) })
      .addTo(i < 14 ? places.major : places.minor);
  });
  const zoomed = () => {
    const z = map.getZoom();
    for (const [layer, from] of [[places.major, 5], [places.minor, 7]])
      if (z >= from) map.addLayer(layer); else map.removeLayer(layer);
  };
  map.on("zoomend", zoomed);
  zoomed();
}

// ----------------------------------------------------------------- errors
// The server's errors are JSON; a reader gets the sentence inside.
async function errorText(r) {
  const text = await r.text();
  try {
    const e = JSON.parse(text);
    if (e.error && e.error.message) return e.error.message;
  } catch (_) { /* not JSON: the text itself */ }
  return text.trim() || "the server answered " + r.status;
}

function showError(message) {
  $("error").textContent = message;
  $("error").hidden = !message;
}

function badRowText(e) {
  const where = e.line ? "line " + e.line + (e.column ? ", column " + e.column : "") : "";
  return (e.id ? e.id : "a row") + (where ? " (" + where + ")" : "") + ": " + e.message;
}

// ----------------------------------------------------------------- datasets
function fromText(name, text) {
  return fromBlob(name, new Blob([text]));
}

function fromBlob(name, blob) {
  return { name, size: blob.size, blob: (a, b) => blob.slice(a, b),
           slice: (a, b) => blob.slice(a, b).text() };
}

// The end of the last whole row in bytes: a newline outside quotes.  (Both
// are single bytes that never occur inside a UTF-8 sequence.)
function lastRowEnd(bytes) {
  let quoted = false, end = -1;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === 34) quoted = !quoted;
    else if (c === 10 && !quoted) end = i;
  }
  return end;
}

// Splits a page into its rows (CSV quotes respected).
function splitRows(text) {
  const rows = [];
  let quoted = false, start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) quoted = !quoted;
    else if (c === 10 && !quoted) { rows.push(text.slice(start, i)); start = i + 1; }
  }
  if (start < text.length) rows.push(text.slice(start));
  return rows.filter((r) => r.trim() !== "");
}

function parseCsvRow(line) {
  const out = [];
  let field = "", quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { out.push(field); field = ""; }
    else if (c !== "\r") field += c;
  }
  out.push(field);
  return out;
}

// What a dataset's row says happened, for the table and the panel: its
// notes (ACLED's, or a notes column), its place, its system and action.
const NOTE_COLUMNS = ["notes", "note", "description", "summary"];
function rowInfo(get) {
  const notes = NOTE_COLUMNS.map(get).find((x) => typeof x === "string" && x.trim());
  const loc = get("location"), place = get("place");
  const where = typeof loc === "string" ? loc : typeof place === "string" ? place : "";
  const pick = (k) => typeof get(k) === "string" ? get(k) : "";
  return { notes: notes ? notes.trim() : "", place: where, system: pick("system"),
           action: pick("action"), target: pick("target") };
}

function infoOfRows(text, format, header) {
  const rows = splitRows(text);
  if (format === "csv") {
    const names = parseCsvRow(header ? header.replace(/\r?\n$/, "") : rows.shift());
    const at = {};
    names.forEach((n, i) => { at[n.trim().toLowerCase()] = i; });
    return rows.map((r) => {
      const v = parseCsvRow(r);
      return rowInfo((k) => at[k] !== undefined ? v[at[k]] : undefined);
    });
  }
  return rows.map((r) => {
    let o = {};
    try { o = JSON.parse(r); } catch (_) { /* an error row: nothing to say */ }
    return rowInfo((k) => o && typeof o === "object" ? o[k] : undefined);
  });
}

function clearDataset() {
  state.generation++;
  if (state.controller) state.controller.abort();
  state.uses = []; state.bad = []; state.pages = []; state.selected = null;
  for (const g of groups.values()) g.clearLayers();
  markers.clear();
  $("table-body").textContent = "";
  $("details").innerHTML = '<p class="hint">Select a use on the map or in the table.</p>';
  state.panelKey = null;
  $("bad-rows").hidden = true;
  showError("");
}

function query(extra) {
  const q = new URLSearchParams({ detail: "summary" });
  if ($("whatif").checked) q.set("as_of", toIso(Number($("day").value)));
  for (const [k, v] of Object.entries(state.assume)) q.set("assume." + k, v);
  for (const [k, v] of Object.entries(extra || {})) q.set(k, v);
  return q.toString();
}

function addUse(res, uses, page, row, info) {
  res.day = res.date ? toDay(res.date) : undefined;
  res.page = page;
  res.row = row;
  res.info = info || {};
  uses.push(res);
}

// Evaluates the whole dataset page by page, showing progress; a newer
// evaluation (a new file, another day under what-if) cancels this one.
async function evaluate() {
  const ds = state.dataset;
  if (!ds) return;
  if (state.site) return judgeStatic();
  const generation = ++state.generation;
  if (state.controller) state.controller.abort();
  const controller = new AbortController();
  state.controller = controller;
  const uses = [], bad = [], pages = [];
  let offset = 0, header = null;
  document.body.dataset.busy = "yes"; // for tests: cleared when the newest evaluation ends
  $("progress-box").hidden = false;
  $("progress").max = ds.size || 1;
  try {
    while (offset < ds.size) {
      // Bytes, not text: the page is cut at its last whole row and sent as a
      // slice of the file, never decoded or copied into a string.
      const piece = new Uint8Array(await ds.blob(offset, Math.min(ds.size, offset + PAGE_BYTES))
        .arrayBuffer());
      let bytes = piece.length;
      if (offset + bytes < ds.size) {
        const end = lastRowEnd(piece);
        if (end < 0) throw new Error("A single row is longer than " + fmtBytes(PAGE_BYTES) +
                                     ": is this a dataset file?");
        bytes = end + 1;
      }
      if (offset === 0) {
        const start = new TextDecoder().decode(piece.subarray(0, Math.min(bytes, 65536)));
        ds.format = /^\s*[{[]/.test(start) ? "jsonl" : "csv";
        if (ds.format === "csv") header = start.slice(0, start.indexOf("\n") + 1);
        ds.header = header;
      }
      const page = ds.blob(offset, offset + bytes);
      const body = offset > 0 && header ? new Blob([header, page]) : page;
      pages.push({ start: offset, end: offset + bytes });
      const r = await fetch("v1/assess?" + query(), {
        method: "POST", body, signal: controller.signal,
        headers: { "Content-Type": ds.format === "csv" ? "text/csv" : "application/x-ndjson" },
      });
      if (!r.ok) throw new Error("The server could not evaluate this dataset: " +
                                 (await errorText(r)));
      const lines = (await r.text()).split("\n");
      if (generation !== state.generation) return;
      // What each row says happened: the page keeps the rows it sent.
      let infos = [];
      try {
        infos = infoOfRows(new TextDecoder().decode(piece.subarray(0, bytes)), ds.format,
                           offset > 0 ? header : null);
      } catch (_) { infos = []; }
      let row = 0;
      for (const line of lines) {
        if (!line) continue;
        const res = JSON.parse(line);
        if (res.error) bad.push({ id: res.id, line: res.error.line, message: res.error.message,
                                  field: res.error.field });
        else addUse(res, uses, pages.length - 1, row, infos[row]);
        row++;
      }
      offset += bytes;
      $("progress").value = offset;
      $("progress-text").textContent = "Evaluated " + fmtBytes(offset) + " of " +
        fmtBytes(ds.size) + " (" + (uses.length + bad.length).toLocaleString("en") + " rows)";
    }
  } catch (e) {
    if (e.name === "AbortError" || generation !== state.generation) return;
    clearDataset();
    delete document.body.dataset.busy;
    $("progress-box").hidden = true;
    $("status").textContent = "";
    showError(e instanceof TypeError ? "The server did not answer: is caveat serve still running?"
                                     : e.message);
    return;
  }
  state.uses = uses; state.bad = bad; state.pages = pages;
  $("progress-box").hidden = true;
  if (!uses.length && bad.length)
    showError((bad.length === 1 ? "The one row of " + ds.name + " could not be read: "
               : "None of the " + bad.length.toLocaleString("en") + " rows of " + ds.name +
                 " could be read. The first: ") + badRowText(bad[0]));
  else showError("");
  showBadRows();
  await learnPolicies(uses);
  if (generation !== state.generation) return;
  await drawAll();
  if (generation === state.generation && !dayTimer) delete document.body.dataset.busy;
}

// A static copy: every use judged by its own day (the results of site.json)
// or, under "judge by this day", by its verdict history on the slider's day.
async function judgeStatic() {
  const whatif = $("whatif").checked, day = Number($("day").value);
  for (const u of state.uses) {
    if (!whatif) { u.verdicts = u.own; continue; }
    u.verdicts = u.own.map((v) => {
      const h = u.history[v.donor];
      if (!h) return { donor: v.donor, verdict: "not-covered", about: v.about };
      const p = h.find((q) => (q.from === null || toDay(q.from) <= day) &&
                              (q.until === null || day < toDay(q.until)));
      return { donor: v.donor, verdict: p ? p.verdict : "not-covered", rules: p ? p.rules : [],
               about: v.about };
    });
  }
  await drawAll();
  if (!dayTimer) delete document.body.dataset.busy;
}

function showBadRows() {
  const bad = state.bad;
  $("bad-rows").hidden = !bad.length;
  if (!bad.length) return;
  $("bad-rows-summary").textContent = bad.length.toLocaleString("en") +
    (bad.length === 1 ? " row" : " rows") + " could not be read" +
    (bad.length > BAD_ROWS_SHOWN ? " (the first " + BAD_ROWS_SHOWN + " listed)" : "");
  $("bad-rows-list").innerHTML = bad.slice(0, BAD_ROWS_SHOWN)
    .map((e) => "<li>" + escapeHtml(badRowText(e)) + "</li>").join("");
}

// A row's own text (for the panel), from its page.
async function rowText(use) {
  const ds = state.dataset, page = state.pages[use.page];
  const text = await ds.slice(page.start, page.end);
  const rows = splitRows(use.page > 0 && ds.header ? ds.header + text : text);
  const dataRows = ds.format === "csv" ? rows.slice(1) : rows;
  return { header: ds.format === "csv" ? rows[0] : null, row: dataRows[use.row] };
}

function rowFields(header, row) {
  if (row === undefined) return null;
  if (header) {
    const names = parseCsvRow(header), values = parseCsvRow(row);
    return names.map((n, i) => [n, values[i] || ""]).filter(([, v]) => v !== "");
  }
  try {
    return Object.entries(JSON.parse(row)).map(([k, v]) => [k, typeof v === "object" ?
      JSON.stringify(v) : String(v)]);
  } catch (_) { return null; }
}

// The full result of one use under the page's day, what-if and assumptions.
async function fullResult(use) {
  const { header, row } = await rowText(use);
  const fields = rowFields(header, row);
  if (state.site) return { res: staticResult(use), fields };
  const body = header ? header + "\n" + row + "\n" : row + "\n";
  const r = await fetch("v1/assess?" + query({ detail: "full" }), {
    method: "POST", body,
    headers: { "Content-Type": header ? "text/csv" : "application/x-ndjson" } });
  if (!r.ok) throw new Error(await errorText(r));
  return { res: JSON.parse((await r.text()).split("\n")[0]), fields };
}

// A static copy holds each use's full result on its own day; judged by
// another day, each about donor's verdict and deciding rules come from its
// history, with the rules' reasons, and the note that the sources are
// those of its own day.
function staticResult(use) {
  const res = use.full;
  if (!$("whatif").checked) return res;
  const copy = Object.assign({}, res);
  copy.verdicts = res.verdicts.map((v) => {
    const now = use.verdicts.find((x) => x.donor === v.donor) || {};
    if (now.verdict === v.verdict && JSON.stringify(now.rules || v.rules) === JSON.stringify(v.rules))
      return v;
    return { donor: v.donor, about: v.about, verdict: now.verdict, rules: now.rules || [],
             note: "This static copy holds the explanation and sources for the use's own day (" +
                   res.verdicts[0].date + "); on " + toIso(Number($("day").value)) +
                   " its verdict and deciding rules are these." };
  });
  return copy;
}

// Each policy's record end and assumptions, learnt from the full results
// of a few uses (the API gives them with every verdict).
async function learnPolicies(uses) {
  const sample = [];
  const seen = new Set();
  for (const u of uses) { // one use per distinct (donors' verdicts) pattern, at most 20
    const key = u.verdicts.map((v) => v.donor + v.verdict).join();
    if (!seen.has(key)) { seen.add(key); sample.push(u); }
    if (sample.length >= 20) break;
  }
  const learn = (res) => {
    for (const v of res.verdicts || []) {
      if (v.policy_as_of) state.asOf[v.donor] = v.policy_as_of;
      const a = (state.assumptions[v.donor] = state.assumptions[v.donor] || {});
      for (const [k, x] of Object.entries(v.assumptions || {}))
        if (!(k in a) && typeof x !== "object") a[k] = x;
    }
  };
  if (state.site) for (const u of uses) learn(u.full);
  else for (const u of sample) {
    try { learn((await fullResult(u)).res); } catch (_) { /* the panel will say, if this use is opened */ }
  }
  if (!state.site) drawAssumptionControls();
  setupTimeline();
  drawMethodology();
}

// ------------------------------------------------------------ the verdicts
// The donors a use is about: the result's own list, else the donors its
// verdicts mark as about, else (results from before either) those whose
// verdict is not "not covered", else every donor.
function aboutOf(u) {
  if (Array.isArray(u.about)) return u.about;
  const marked = u.verdicts.filter((v) => v.about === true).map((v) => v.donor);
  if (marked.length || u.verdicts.some((v) => v.about === false)) return marked;
  const covered = u.verdicts.filter((v) => v.verdict !== "not-covered").map((v) => v.donor);
  return covered.length ? covered : u.verdicts.map((v) => v.donor);
}

// The lead verdict of a use: the strictest among the donors it is about
// (and the reader chose), with the donors giving it; null when it is about
// none of the chosen donors.
function leadOf(u) {
  const about = aboutOf(u).filter((d) => !state.chosen || state.chosen.has(d));
  if (!about.length) {
    if (state.chosen || !u.verdicts.length) return null;
    return { verdict: "not-covered", donors: [] };
  }
  let verdict = null, donors = [];
  for (const d of about) {
    const v = (u.verdicts.find((x) => x.donor === d) || { verdict: "not-covered" }).verdict;
    if (verdict === null || STRICTNESS[v] > STRICTNESS[verdict]) { verdict = v; donors = [d]; }
    else if (v === verdict) donors.push(d);
  }
  return { verdict, donors };
}

function visibleUses() {
  const day = Number($("day").value), whatif = $("whatif").checked;
  const from = $("from-filter").value ? toDay($("from-filter").value) : -Infinity;
  const to = $("to-filter").value ? toDay($("to-filter").value) : Infinity;
  const shown = new Set(VERDICTS.filter((v) => $("verdict-" + v).checked));
  const out = [];
  for (const u of state.uses) {
    u.lead = leadOf(u);
    if (!u.lead || !shown.has(u.lead.verdict)) continue;
    if (u.day !== undefined && (u.day < from || u.day > to)) continue;
    if (!whatif && u.day !== undefined && u.day > day) continue;
    out.push(u);
  }
  return out;
}

// The table, narrowed to the map's view when asked: the map itself always
// shows the filtered uses, wherever they are.
function tableUses(uses) {
  if (!$("in-view").checked) return uses;
  const bounds = map.getBounds();
  return uses.filter((u) => u.lat !== undefined && bounds.contains([u.lat, u.lon]));
}

async function drawAll() {
  drawDonorFilter();
  const uses = visibleUses();
  drawMap(uses);
  drawTable(tableUses(uses));
  const n = state.uses.length;
  $("status").textContent = uses.length.toLocaleString("en") + " of " + n.toLocaleString("en") +
    " uses shown" + (state.dataset ? " from " + state.dataset.name : "");
  const chosen = state.chosen ? [...state.chosen].map(donorName) : null;
  $("legend-note").textContent = "Each use is marked by the verdict of the donor whose weapon it was" +
    (chosen ? ", among the donors chosen (" + listWords(chosen) + ")" : "") + " (the strictest, when the record leaves " +
    "open whose it was). Shape and colour both say the verdict.";
  drawAsOfNotice();
  drawTimeline();
  saveState();
  await refreshPanel();
}

const GLYPH = { permitted: "✓", forbidden: "✕", undetermined: "?", "not-covered": "–" };

function drawMap(uses) {
  for (const g of groups.values()) g.clearLayers();
  markers.clear();
  const lists = new Map();
  let drawn = 0;
  for (const u of uses) {
    if (u.lat === undefined) continue;
    if (drawn++ >= MAP_MAX) break;
    const v = u.lead.verdict, t = u.territory || "unknown";
    const label = u.id + ": " + (VERDICT_WORD[v] || v) +
      (u.lead.donors.length ? " (" + u.lead.donors.map(donorName).join(", ") + ")" : "") +
      (u.info && u.info.place ? ", " + u.info.place : "");
    const m = L.marker([u.lat, u.lon], {
      keyboard: true, title: label, verdict: v, territory: t,
      icon: L.divIcon({ className: "use-marker verdict-" + v + (u.id === state.selected ? " selected" : ""),
                        html: '<span class="shape" data-id="' + escapeHtml(u.id) + '"><b>' + GLYPH[v] + "</b></span>",
                        iconSize: [18, 18] }),
    });
    m.on("click", () => select(u.id, "map"));
    m.on("add", () => {
      const el = m.getElement();
      if (!el || el.dataset.keys) return;
      el.setAttribute("role", "button");
      el.setAttribute("aria-label", label);
      el.dataset.keys = "yes"; // Enter or Space opens it, as a button would
      el.addEventListener("keydown", (e) => {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); select(u.id, "map"); }
      });
    });
    markers.set(u.id, m);
    if (!lists.has(t)) lists.set(t, []);
    lists.get(t).push(m);
  }
  for (const [t, list] of lists) groupFor(t).addLayers(list);
  const located = uses.filter((u) => u.lat !== undefined).length;
  $("table-note").textContent = located > MAP_MAX ? "The map shows the first " +
    MAP_MAX.toLocaleString("en") + " of " + located.toLocaleString("en") +
    " located uses; the table and the CSV export hold them all." : "";
}

// What happened, in a line: the row's notes, or its facts in words.
function description(u) {
  const i = u.info || {};
  if (i.notes) return i.notes.length > NOTES_KEPT ? i.notes.slice(0, NOTES_KEPT - 1) + "…" : i.notes;
  return [i.action, i.system, i.target ? "on " + i.target : ""].filter((x) => x).join(" ") || "";
}

function placeOf(u) {
  const named = placeWords(u.territory, u.region);
  if (u.info && u.info.place && !named.includes(u.info.place))
    return u.info.place + (named ? ", " + named : "");
  if (named) return named;
  return u.lat === undefined ? "" : u.lat.toFixed(2) + ", " + u.lon.toFixed(2);
}

function tableColumns() {
  return [
    { key: "id", label: "Use", value: (u) => u.id },
    { key: "date", label: "Date", value: (u) => u.date || "" },
    { key: "what", label: "What happened", value: description },
    { key: "verdict", label: "Verdict", value: (u) => u.lead.verdict,
      order: (u) => -STRICTNESS[u.lead.verdict] },
    { key: "donors", label: "Of", value: (u) => u.lead.donors.map(donorName).join(", ") },
    { key: "place", label: "Where", value: placeOf },
  ];
}

function sortedUses(uses) {
  const col = tableColumns().find((c) => c.key === state.sort.key) || tableColumns()[1];
  const dir = state.sort.dir, key = col.order || col.value;
  return uses.slice().sort((a, b) => {
    const x = key(a), y = key(b);
    return (x < y ? -1 : x > y ? 1 : 0) * dir;
  });
}

function drawTable(uses) {
  const cols = tableColumns();
  $("table-head").innerHTML = cols.map((c) => {
    const sorted = state.sort.key === c.key;
    const aria = sorted ? (state.sort.dir > 0 ? "ascending" : "descending") : "none";
    return '<th scope="col" class="col-' + escapeHtml(c.key) + '" aria-sort="' + aria + '"><button type="button" data-sort="' +
      escapeHtml(c.key) + '">' + escapeHtml(c.label) + (sorted ? (state.sort.dir > 0 ? " ▲" : " ▼") : "") +
      "</button></th>";
  }).join("");
  const rows = sortedUses(uses).slice(0, TABLE_MAX);
  $("table-body").innerHTML = rows.map((u) => '<tr tabindex="0" data-id="' + escapeHtml(u.id) + '"' +
    (u.id === state.selected ? ' class="selected" aria-selected="true"' : "") + ">" +
    cols.map((c) => {
      const v = c.value(u);
      if (c.key === "verdict")
        return '<td class="verdict-cell">' + mark(v) + escapeHtml(VERDICT_WORD[v] || v) + "</td>";
      return '<td class="col-' + c.key + '">' + escapeHtml(v) + "</td>";
    }).join("") + "</tr>").join("");
  if (uses.length > TABLE_MAX)
    $("table-note").textContent = ($("table-note").textContent + " The table shows the first " +
      TABLE_MAX + " of " + uses.length.toLocaleString("en") + " uses in this order; the CSV export " +
      "holds them all.").trim();
}

// The donor filter: a box per loaded policy's donor; none ticked is every donor.
function drawDonorFilter() {
  const box = $("donor-filter");
  if (box.dataset.donors !== state.donors.join()) {
    box.dataset.donors = state.donors.join();
    box.innerHTML = "<legend>Show the verdicts of</legend>" + state.donors.map((d) =>
      '<label><input type="checkbox" name="donor" value="' + escapeHtml(d) + '"' +
      (state.chosen && state.chosen.has(d) ? " checked" : "") + "> " + escapeHtml(donorName(d)) +
      "</label>").join("") + '<button type="button" id="donor-all">Every donor</button>';
  }
  $("donor-summary").textContent = "Donors: " + (state.chosen ?
    [...state.chosen].map(donorName).join(", ") : "every donor");
}

function onDonors() {
  const ticked = [...$("donor-filter").querySelectorAll("input:checked")].map((i) => i.value);
  state.chosen = ticked.length ? new Set(ticked) : null;
  drawAll();
}

function drawAsOfNotice() {
  const day = toIso(Number($("day").value));
  const past = Object.entries(state.asOf).filter(([d, asOf]) => day > asOf &&
    (!state.chosen || state.chosen.has(d)));
  const latest = Object.values(state.asOf).sort().pop();
  const all = past.length > 1 && past.length === Object.keys(state.asOf).length;
  $("asof-notice").hidden = !past.length;
  $("asof-notice").textContent = all && latest
    ? "Every donor's record ends by " + latest + ": for " + day + " it assumes nothing changed since."
    : past.map(([donor, asOf]) => "The " + donorName(donor) + " record ends on " + asOf +
      ": for " + day + " it assumes nothing changed since.").join(" ");
}

// What caveat is, and the day its record runs to: the page says it, and an
// embedded copy says it in place of the rest.
function drawMethodology() {
  const latest = Object.values(state.asOf).sort().pop();
  $("methodology").innerHTML = "caveat judges described uses of donated weapons against each " +
    "donor's publicly reported conditions on their use, encoded as dated rules that cite their " +
    "sources. It evaluates uses described to it, as the public record stands; it never proposes " +
    "targets and gives no legal advice." + (latest ? " Record as of <strong>" + escapeHtml(latest) +
    "</strong>." : "") + (state.site ? " A static copy made on " + escapeHtml(state.site.made) + "." : "") +
    (EMBED ? ' <a href="./" target="_blank" rel="noopener">Open the full page</a>.' : "");
}

// -------------------------------------------------------------- the panel
function markSelected(id, from) {
  document.querySelectorAll("#table-body tr.selected").forEach((tr) => {
    tr.classList.remove("selected"); tr.removeAttribute("aria-selected"); });
  const tr = document.querySelector('#table-body tr[data-id="' + CSS.escape(id) + '"]');
  if (tr) {
    tr.classList.add("selected"); tr.setAttribute("aria-selected", "true");
    // Bring the row into the table's own view, never scrolling the page.
    if (from === "map") {
      const wrap = tr.closest(".table-wrap");
      if (wrap && wrap.scrollHeight > wrap.clientHeight)
        wrap.scrollTop = tr.offsetTop - wrap.clientHeight / 2;
    }
  }
  document.querySelectorAll(".use-marker.selected").forEach((el) => el.classList.remove("selected"));
  const m = markers.get(id);
  if (m && m.getElement()) m.getElement().classList.add("selected");
}

function panelKey() {
  return [state.selected, $("whatif").checked ? $("day").value : "", JSON.stringify(state.assume),
          state.chosen ? [...state.chosen].join() : ""].join("|");
}

async function select(id, from) {
  state.selected = id;
  state.back = from === "map" ? "map" : "list";
  markSelected(id, from);
  saveState();
  await showPanel({ scroll: from === "map" || from === "table" });
}

// Draws the panel of the selected use as the page now judges it: the
// table's day, what-if, assumptions and donors.  With scroll, on a phone,
// brings it into view.
async function showPanel({ scroll } = {}) {
  const id = state.selected;
  const use = state.uses.find((u) => u.id === id);
  if (!use) return;
  const key = panelKey();
  state.panelKey = key;
  document.body.dataset.panel = "loading";
  const box = $("details");
  if (box.dataset.use !== id) {
    box.dataset.use = "";
    box.innerHTML = '<p class="use-id">Use ' + escapeHtml(id) + "</p><p>Loading…</p>";
  }
  if (scroll && PHONE.matches) box.scrollIntoView({ block: "start" });
  try {
    const { res, fields } = await fullResult(use);
    if (state.panelKey !== key) return;
    const lead = leadOf(Object.assign({}, use, { verdicts: res.verdicts, about: res.about || use.about }));
    box.innerHTML = panelHtml(res, {
      about: aboutOf(Object.assign({}, use, { verdicts: res.verdicts, about: res.about || use.about })),
      lead, chosen: state.chosen, rules: state.rules, day: toIso(Number($("day").value)),
      whatif: $("whatif").checked, info: Object.assign({ date: use.date }, use.info), fields,
      back: state.back });
    box.dataset.use = id;
    box.dataset.verdict = lead ? lead.verdict : "";
    $("panel-back").addEventListener("click", goBack);
  } catch (e) {
    if (state.panelKey !== key) return;
    box.innerHTML = "<h2>" + escapeHtml(id) + "</h2><p>This use's details could not be " +
      "loaded: " + escapeHtml(e.message) + "</p>";
  }
  if (scroll && PHONE.matches) {
    box.scrollIntoView({ block: "start" });
    box.focus({ preventScroll: true });
  }
  delete document.body.dataset.panel;
}

// The panel follows the table: redrawn when the day (under what-if), the
// assumptions or the donors it was worked out under change.
async function refreshPanel() {
  if (!state.selected || !state.uses.some((u) => u.id === state.selected)) return;
  if (panelKey() === state.panelKey) return;
  await showPanel();
}

// Back from the panel to where the reader came from (on a phone, far above).
function goBack() {
  if (state.back === "map") { $("map").scrollIntoView({ block: "start" }); return; }
  const tr = document.querySelector('#table-body tr[data-id="' + CSS.escape(state.selected) + '"]');
  if (tr) { tr.scrollIntoView({ block: "center" }); tr.focus({ preventScroll: true }); }
  else $("uses").scrollIntoView({ block: "start" });
}

// Shows a use on the map: zooms into its cluster (spreading uses that share
// a spot) and selects it.
function reveal(id) {
  const m = markers.get(id);
  select(id, "table");
  if (!m) return Promise.resolve(false);
  const g = groups.get(m.options.territory);
  return new Promise((resolve) => g.zoomToShowLayer(m, () => {
    const el = m.getElement();
    if (el) el.classList.add("selected");
    resolve(true);
  }));
}

// --------------------------------------------------------------- timeline
function setupTimeline() {
  const days = state.uses.map((u) => u.day).filter((d) => d !== undefined);
  const ruleDays = [];
  for (const p of state.policies) for (const r of p.rules) {
    if (r.from) ruleDays.push(toDay(r.from));
    if (r.until) ruleDays.push(toDay(r.until));
  }
  for (const asOf of Object.values(state.asOf)) ruleDays.push(toDay(asOf));
  // Loops, not Math.min(...days): a spread of 200,000 days overflows the stack.
  let lo = Infinity, hi = -Infinity, last = -Infinity;
  for (const d of days) { if (d < lo) lo = d; if (d > hi) hi = d; }
  last = hi;
  for (const d of ruleDays) { if (d < lo) lo = d; if (d > hi) hi = d; }
  if (lo <= hi) state.domain = [lo - 15, hi + 15];
  const slider = $("day");
  const keep = Number(slider.value);
  slider.min = state.domain[0];
  slider.max = state.domain[1];
  const wanted = state.pending && state.pending.day ? toDay(state.pending.day) :
    keep >= state.domain[0] && keep <= state.domain[1] && keep ? keep :
    days.length ? last : state.domain[1];
  slider.value = wanted;
  $("day-label").textContent = toIso(Number(slider.value));
  drawTimeline();
}

// The donors the timeline shows: those chosen, else those the dataset's
// uses are about, else every loaded policy's.
function timelineDonors() {
  if (state.chosen) return state.policies.filter((p) => state.chosen.has(p.donor));
  const about = new Set();
  for (const u of state.uses) for (const d of aboutOf(u)) if (about.size < 40) about.add(d);
  const some = state.policies.filter((p) => about.has(p.donor));
  return some.length && some.length < state.policies.length ? some : state.policies;
}

// One block per donor, the donor's name in a gutter on the left and a lane
// per effect (permit, open, forbid) holding the periods of its rules of that
// effect, drawn at the strip's own width so that its text stays 12 px.
// Each donor's block is a button: focused, tapped or clicked it lists that
// donor's rules in force on the day below the strip.
const TIMELINE = { width: 1000, gutter: 120, lane: 5, font: 12 };

function drawTimeline() {
  const box = $("timeline");
  const width = Math.max(300, box.clientWidth || 1000);
  const gutter = width < 500 ? 92 : 120;
  Object.assign(TIMELINE, { width, gutter });
  const [lo, hi] = state.domain, { lane, font } = TIMELINE, axis = 18;
  const x = (d) => gutter + ((d - lo) / (hi - lo)) * (width - gutter - 4);
  let y = 2;
  const parts = [];
  for (const p of timelineDonors()) {
    const effects = ["permit", "open", "forbid"].filter((e) => p.rules.some((r) => r.effect === e));
    const others = [...new Set(p.rules.map((r) => r.effect))].filter((e) => !effects.includes(e));
    const lanes = effects.concat(others);
    const h = Math.max(lanes.length * lane, font + 4);
    const label = donorName(p.donor) + ": " + p.rules.length + " rules; show those in force on the day";
    parts.push('<g class="tl-donor" tabindex="0" role="button" data-donor="' + escapeHtml(p.donor) +
      '" aria-label="' + escapeHtml(label) + '"><rect class="tl-hit" x="0" y="' + y + '" width="' +
      width + '" height="' + (h + 2) + '" fill="transparent"/><text x="2" y="' + (y + font) +
      '" font-size="' + font + '" fill="#222">' + escapeHtml(donorName(p.donor)) + "</text>");
    lanes.forEach((effect, i) => {
      for (const r of p.rules.filter((q) => q.effect === effect)) {
        const a = Math.max(r.from ? toDay(r.from) : lo, lo), b = Math.min(r.until ? toDay(r.until) : hi, hi);
        if (b <= a) continue;
        parts.push('<rect x="' + x(a).toFixed(1) + '" y="' + (y + 1 + i * lane) + '" width="' +
          Math.max(1, x(b) - x(a)).toFixed(1) + '" height="' + (lane - 1) + '" fill="' +
          (EFFECT_COLOURS[effect] || "#666") + '"><title>' + escapeHtml(donorName(p.donor) +
          " " + r.id + " (" + effect + "): " + (r.from || "start") + " to " + (r.until || "now")) +
          "</title></rect>");
      }
    });
    parts.push("</g>");
    y += h + 3;
  }
  const day = Number($("day").value);
  parts.push('<line id="timeline-day" x1="' + x(day) + '" x2="' + x(day) + '" y1="0" y2="' + y +
    '" stroke="#1a5fb4" stroke-width="2"/>');
  const years = [];
  for (let year = new Date(lo * DAY_MS).getUTCFullYear() + 1;
       year <= new Date(hi * DAY_MS).getUTCFullYear(); year++) years.push(year);
  for (const year of years) {
    const d = toDay(year + "-01-01");
    parts.push('<line x1="' + x(d) + '" x2="' + x(d) + '" y1="0" y2="' + y +
      '" stroke="#999" stroke-dasharray="2 2"/><text x="' + (x(d) + 2) + '" y="' + (y + axis - 4) +
      '" font-size="' + font + '" fill="#333">' + year + "</text>");
  }
  box.innerHTML = '<svg width="' + width + '" height="' + (y + axis) + '" viewBox="0 0 ' + width +
    " " + (y + axis) + '">' + parts.join("") + "</svg>";
  const svg = box.querySelector("svg");
  svg.addEventListener("click", (e) => {
    const g = e.target.closest(".tl-donor");
    if (g) timelineTip(g.dataset.donor);
    const at = e.clientX - svg.getBoundingClientRect().left;
    if (at < gutter) return;
    $("day").value = Math.round(lo + ((at - gutter) / (width - gutter - 4)) * (hi - lo));
    onDay();
  });
  svg.querySelectorAll(".tl-donor").forEach((g) => {
    g.addEventListener("focus", () => timelineTip(g.dataset.donor));
    g.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); timelineTip(g.dataset.donor); }
    });
  });
  if (state.tipDonor) timelineTip(state.tipDonor, true);
}

// A donor's rules on the slider's day, in words, below the strip.
function timelineTip(donor, quiet) {
  const p = state.policies.find((q) => q.donor === donor);
  if (!p) return;
  state.tipDonor = donor;
  const day = toIso(Number($("day").value));
  const now = p.rules.filter((r) => (!r.from || r.from <= day) && (!r.until || day < r.until));
  const text = donorName(donor) + " on " + day + ": " + (now.length ? now.map((r) => r.id + " (" +
    r.effect + ", from " + (r.from || "the start") + ")").join("; ") : "no rule in force") + ".";
  if (!quiet || $("timeline-tip").textContent) $("timeline-tip").textContent = text;
}

// ------------------------------------------------------------------ what-if
function drawAssumptionControls() {
  const box = $("assumption-controls");
  const donors = Object.keys(state.assumptions).filter((d) => Object.keys(state.assumptions[d]).length);
  if (!donors.length) return;
  // A name declared by one policy alone is sent bare; shared names are scoped DONOR.NAME.
  const count = {};
  for (const d of donors) for (const k of Object.keys(state.assumptions[d])) count[k] = (count[k] || 0) + 1;
  box.innerHTML = donors.map((d) => "<fieldset><legend>" + escapeHtml(donorName(d)) + "</legend>" +
    Object.entries(state.assumptions[d]).map(([k, def]) => {
      const key = count[k] > 1 ? d + "." + k : k;
      const id = "assume-" + key.replace(/[^A-Za-z0-9_-]/g, "_");
      const value = key in state.assume ? state.assume[key] : def;
      return '<label for="' + id + '">' + escapeHtml(words(k)) + " (default " + escapeHtml(def) +
        ')</label><input id="' + id + '" type="number" step="any" data-key="' + escapeHtml(key) +
        '" data-default="' + escapeHtml(def) + '" value="' + escapeHtml(value) + '">';
    }).join("") + "</fieldset>").join("") +
    '<button id="reset-assumptions" type="button">Back to the policies\' assumptions</button>';
  box.querySelectorAll("input").forEach((input) => input.addEventListener("change", () => {
    const key = input.dataset.key;
    if (input.value === "" || Number(input.value) === Number(input.dataset.default)) delete state.assume[key];
    else state.assume[key] = Number(input.value);
    evaluate();
  }));
  $("reset-assumptions").addEventListener("click", () => {
    state.assume = {};
    drawAssumptionControls();
    evaluate();
  });
}

// ---------------------------------------------------------------- permalink
function saveState() {
  const q = new URLSearchParams();
  if (state.dataset && !state.site) q.set("data", state.dataset.name);
  q.set("day", toIso(Number($("day").value)));
  if ($("whatif").checked) q.set("whatif", "1");
  for (const [k, v] of Object.entries(state.assume)) q.set("assume." + k, v);
  if (state.selected) q.set("use", state.selected);
  const c = map.getCenter();
  q.set("map", c.lat.toFixed(4) + "," + c.lng.toFixed(4) + "," + map.getZoom());
  if (state.chosen) q.set("donors", [...state.chosen].join(","));
  const off = VERDICTS.filter((v) => !$("verdict-" + v).checked);
  if (off.length) q.set("hide", off.join(","));
  if ($("from-filter").value) q.set("from", $("from-filter").value);
  if ($("to-filter").value) q.set("to", $("to-filter").value);
  if ($("in-view").checked) q.set("inview", "1");
  history.replaceState(null, "", location.pathname + location.search + "#" + q.toString());
}

function readState() {
  const q = new URLSearchParams(location.hash.slice(1));
  const pending = { data: q.get("data"), day: q.get("day"), use: q.get("use") };
  $("whatif").checked = q.get("whatif") === "1";
  for (const [k, v] of q) if (k.startsWith("assume.") && isFinite(Number(v))) state.assume[k.slice(7)] = Number(v);
  const view = (q.get("map") || "").split(",").map(Number);
  if (view.length === 3 && view.every(isFinite)) {
    map.setView([view[0], view[1]], view[2]);
    pending.mapped = true;
  }
  const donors = (q.get("donors") || q.get("donor") || "").split(",").filter((d) => d);
  state.chosen = donors.length ? new Set(donors) : null;
  const hide = (q.get("hide") || "").split(",");
  for (const v of VERDICTS) $("verdict-" + v).checked = !hide.includes(v);
  if (q.get("from")) $("from-filter").value = q.get("from");
  if (q.get("to")) $("to-filter").value = q.get("to");
  $("in-view").checked = q.get("inview") === "1";
  return pending;
}

// ------------------------------------------------------------------ exports
function download(name, blob) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

function exportCsv() {
  const cols = tableColumns().concat([
    { label: "Lat", value: (u) => u.lat === undefined ? "" : String(u.lat) },
    { label: "Lon", value: (u) => u.lon === undefined ? "" : String(u.lon) }]);
  const cell = (s) => /[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  const lines = [cols.map((c) => cell(c.label)).join(",")];
  for (const u of sortedUses(tableUses(visibleUses()))) lines.push(cols.map((c) => cell(String(c.value(u)))).join(","));
  download("caveat-uses.csv", new Blob([lines.join("\n") + "\n"], { type: "text/csv" }));
}

// The map as PNG: the borders' canvas, then the place names, uses and
// clusters where they are drawn, then the attribution.
function exportPng() {
  const box = $("map").getBoundingClientRect();
  const canvas = document.createElement("canvas");
  canvas.width = box.width; canvas.height = box.height;
  const g = canvas.getContext("2d");
  g.fillStyle = "#dfe9f2"; g.fillRect(0, 0, box.width, box.height);
  for (const c of $("map").querySelectorAll("canvas")) {
    const r = c.getBoundingClientRect();
    g.drawImage(c, r.left - box.left, r.top - box.top, r.width, r.height);
  }
  g.font = "600 12px system-ui, sans-serif"; g.fillStyle = "#222";
  for (const el of $("map").querySelectorAll(".place-label")) {
    const r = el.getBoundingClientRect();
    g.fillText(el.textContent, r.left - box.left + 6, r.top - box.top + 12);
  }
  for (const el of $("map").querySelectorAll(".use-marker, .marker-cluster")) {
    const r = el.getBoundingClientRect();
    const cx = r.left - box.left + r.width / 2, cy = r.top - box.top + r.height / 2;
    const inner = el.querySelector("div") || el;
    g.beginPath();
    // The shapes of the page: square forbidden, diamond undetermined, circle otherwise.
    const s = r.width / 2;
    if (/verdict-forbidden/.test(el.className)) g.rect(cx - s, cy - s, 2 * s, 2 * s);
    else if (/verdict-undetermined/.test(el.className)) {
      g.moveTo(cx, cy - s); g.lineTo(cx + s, cy); g.lineTo(cx, cy + s); g.lineTo(cx - s, cy); g.closePath();
    } else g.arc(cx, cy, s, 0, 2 * Math.PI);
    g.fillStyle = getComputedStyle(inner).backgroundColor; g.fill();
    g.strokeStyle = "#222"; g.lineWidth = 1; g.stroke();
    g.fillStyle = getComputedStyle(inner).color; g.textAlign = "center"; g.textBaseline = "middle";
    g.fillText(el.textContent, cx, cy); g.textAlign = "start"; g.textBaseline = "alphabetic";
  }
  g.fillStyle = "rgba(255,255,255,0.8)"; g.fillRect(0, box.height - 18, box.width, 18);
  g.fillStyle = "#222"; g.font = "11px system-ui, sans-serif";
  g.fillText(ATTRIBUTION.replace(/<[^>]+>/g, "") + " · caveat, " + toIso(Number($("day").value)),
             6, box.height - 5);
  canvas.toBlob((blob) => download("caveat-map.png", blob), "image/png");
}

// ------------------------------------------------------------------ wiring
let dayTimer = null;
function onDay() {
  $("day-label").textContent = toIso(Number($("day").value));
  drawTimeline();
  drawAsOfNotice();
  clearTimeout(dayTimer);
  document.body.dataset.busy = "yes";
  const server = $("whatif").checked && !state.site;
  // Under what-if every move asks the server again: wait for the slider to
  // rest, and cancel what is in flight (evaluate() aborts it).
  dayTimer = setTimeout(async () => {
    dayTimer = null;
    if ($("whatif").checked) await evaluate(); else await drawAll();
    if (!dayTimer && !server) delete document.body.dataset.busy;
  }, server ? DEBOUNCE_MS : 30);
}

function setupFilters() {
  $("verdict-filter").insertAdjacentHTML("beforeend", VERDICTS.map((v) =>
    '<label><input type="checkbox" id="verdict-' + v + '" checked> ' + mark(v) +
    escapeHtml(VERDICT_WORD[v]) + "</label>").join(""));
  $("filters").addEventListener("change", drawAll);
  $("filters").addEventListener("submit", (e) => e.preventDefault());
  $("donor-filter").addEventListener("change", onDonors);
  $("donor-filter").addEventListener("click", (e) => {
    if (e.target.id !== "donor-all") return;
    $("donor-filter").querySelectorAll("input").forEach((i) => { i.checked = false; });
    onDonors();
  });
  $("table-head").addEventListener("click", (e) => {
    const b = e.target.closest("button[data-sort]");
    if (!b) return;
    state.sort = { key: b.dataset.sort, dir: state.sort.key === b.dataset.sort ? -state.sort.dir : 1 };
    drawTable(tableUses(visibleUses()));
  });
  const pick = (e) => {
    const tr = e.target.closest("tr[data-id]");
    if (tr) reveal(tr.dataset.id);
  };
  $("table-body").addEventListener("click", pick);
  $("table-body").addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); pick(e); } });
}

async function useDataset(ds) {
  clearDataset();
  state.dataset = ds;
  $("status").textContent = "Evaluating " + ds.name + "…";
  await evaluate();
}

// A static copy: the uses from site.json, the rows from the dataset file
// beside it.
async function useSite(site) {
  const text = await (await fetch(site.dataset_file)).text();
  const ds = fromText(site.dataset, text);
  ds.format = /\.jsonl$/.test(site.dataset_file) ? "jsonl" : "csv";
  ds.header = ds.format === "csv" ? text.slice(0, text.indexOf("\n") + 1) : null;
  state.dataset = ds;
  state.pages = [{ start: 0, end: ds.size }];
  const infos = infoOfRows(text, ds.format, null);
  const uses = [], bad = [];
  site.uses.forEach((entry, row) => {
    if (entry.error) {
      const e = entry.error;
      bad.push({ id: e.id, line: e.error && e.error.line, message: e.error ? e.error.message : "" });
      return;
    }
    const r = entry.result, f = r.facts || {};
    const u = { id: r.id, date: r.verdicts.length ? r.verdicts[0].date : undefined,
                lat: f.lat, lon: f.lon, territory: f.territory, region: f.region,
                // The donors it is about: the result's list, else those whose
                // policy covers it on some day.
                about: r.about || ((entry.history || []).length ?
                  entry.history.map((h) => h.donor) : undefined),
                full: r, own: r.verdicts.map((v) => ({ donor: v.donor, verdict: v.verdict,
                                                       rules: v.rules, about: v.about })),
                history: {} };
    for (const h of entry.history || []) u.history[h.donor] = h.periods;
    u.verdicts = u.own;
    addUse(u, uses, 0, row, infos[row]);
  });
  state.uses = uses; state.bad = bad;
  showBadRows();
  await learnPolicies(uses);
  await judgeStatic();
}

function wire() {
  $("day").addEventListener("input", onDay);
  $("whatif").addEventListener("change", () => { saveState(); if (state.site) onDay(); else evaluate(); });
  $("dataset").addEventListener("change", async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    state.pending = null;
    await useDataset(fromBlob(file.name, file));
  });
  $("copy-link").addEventListener("click", async () => {
    saveState();
    const input = $("permalink");
    input.value = location.href;
    input.hidden = false;
    input.select();
    try { await navigator.clipboard.writeText(location.href); $("status").textContent = "Link copied."; }
    catch (_) { $("status").textContent = "Copy the selected link."; }
  });
  $("export-csv").addEventListener("click", exportCsv);
  $("export-png").addEventListener("click", exportPng);
  map.on("moveend", () => {
    if (!document.body.dataset.ready) return;
    if ($("in-view").checked) drawTable(tableUses(visibleUses()));
    saveState();
  });
  let resizing = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizing);
    resizing = setTimeout(drawTimeline, 100);
  });
}

(async () => {
  if (EMBED) document.body.classList.add("embed");
  setupFilters();
  wire();
  const pending = readState();
  state.pending = pending;
  if (pending.day && /^\d{4}-\d\d-\d\d$/.test(pending.day)) { // the first what-if needs its day
    const d = toDay(pending.day);
    Object.assign($("day"), { min: d, max: d, value: d });
  }
  // A static copy's page names its site.json ('caveat site' adds the meta
  // element); the server's has none, and the API answers.
  const meta = document.querySelector('meta[name="caveat-site"]');
  if (meta) {
    try { state.site = await (await fetch(meta.content)).json(); }
    catch (e) { showError("This static copy's " + meta.content + " could not be read: " + e.message); }
  }
  await loadNames();
  if (state.site) {
    state.policies = state.site.policies;
    document.body.classList.add("static");
    $("static-note").hidden = false;
    $("static-note").textContent = "A static copy (caveat site, " + state.site.made + "): each " +
      "use's verdict history is precomputed, so the slider can judge every use by its day; " +
      "what-if assumptions and other datasets need caveat serve.";
    $("assumptions").hidden = true;
    $("dataset").disabled = true;
  } else {
    const policies = await fetch("v1/policies");
    if (policies.ok) state.policies = await policies.json();
  }
  state.donors = state.policies.map((p) => p.donor);
  for (const p of state.policies) {
    state.rules[p.donor] = {};
    for (const r of p.rules) state.rules[p.donor][r.id] = r;
  }
  await Promise.all([loadOutlines(), loadPlaces()]);
  if (state.site) await useSite(state.site);
  else {
    const sample = await fetch("sample.csv");
    if (pending.data && pending.data !== "sample.csv")
      $("status").textContent = "This link was made with " + pending.data + ": open that file " +
        "to see its uses; the sample is shown meanwhile.";
    await useDataset(fromText("sample.csv", await sample.text()));
    if (pending.data && pending.data !== "sample.csv") showError("Open " + pending.data +
      " (the dataset this link was made with) to restore its uses.");
  }
  // Without a view in the link, the map opens on the uses.
  if (!/(^|&)map=/.test(location.hash.slice(1)) || !pending.mapped) {
    const located = state.uses.filter((u) => u.lat !== undefined).map((u) => [u.lat, u.lon]);
    if (located.length && !pending.mapped)
      map.fitBounds(L.latLngBounds(located), { padding: [30, 30], maxZoom: 7, animate: false });
  }
  if (pending.use && state.uses.some((u) => u.id === pending.use)) await select(pending.use);
  state.pending = null;
  document.body.dataset.ready = "yes";
})();
