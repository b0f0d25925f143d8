// app.js -- the page of 'caveat serve': a map of uses coloured by verdict over
// the de jure borders, a table in step with it, a day slider with a timeline
// of each donor's rules, what-if assumptions, and the explanation and sources
// of a selected use.  It asks the API for everything: /v1/outlines for the
// borders, /places.tsv for place names, /v1/policies for the timeline,
// /v1/assess for the verdicts (summaries for the whole dataset, sent in pages;
// the full result for the one use a reader opens).  Plain DOM, Leaflet and
// Leaflet.markercluster; no build step.  Nothing here knows how many donors
// there are or every field a result may carry: donors come from the results,
// and fields the page does not know are listed as they are.
"use strict";

const VERDICTS = ["permitted", "forbidden", "undetermined", "not-covered"];
const COLOURS = { permitted: "#2e9e44", forbidden: "#d7301f", undetermined: "#f0a202",
                  "not-covered": "#8c8c8c" };
const EFFECT_COLOURS = { permit: "#2e9e44", forbid: "#d7301f", open: "#f0a202" };
// How strict a verdict is, to colour a use by the strictest of its donors'.
const STRICTNESS = { forbidden: 3, undetermined: 2, permitted: 1, "not-covered": 0 };
const PAGE_BYTES = 4 << 20;     // a dataset goes to the server in pages this big
const MAP_MAX = 20000;          // uses drawn on the map (the table holds all)
const TABLE_MAX = 500;          // rows of the table drawn at once
const BAD_ROWS_SHOWN = 100;
const DEBOUNCE_MS = 250;
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
  uses: [],            // one per row that was read: {id, day, lat, lon, verdicts, page, row}
  bad: [],             // rows that could not be read: {id, line, message}
  donors: [],          // in the order the results name them
  policies: [],        // /v1/policies
  asOf: {},            // donor -> the day its record ends (from full results)
  assumptions: {},     // donor -> {name: default}, from full results
  assume: {},          // name (as sent) -> value: the what-if assumptions
  selected: null,      // id of the selected use
  sort: { key: "date", dir: 1 },
  domain: [toDay("2022-01-01"), toDay("2024-12-31")],
  generation: 0,       // bumped by every new evaluation: late answers are dropped
  controller: null,    // AbortController of the evaluation in flight
};

// -------------------------------------------------------------------- map
const map = L.map("map", { attributionControl: false, zoomSnap: 0.5, minZoom: 3, maxZoom: 10 })
  .setView([49.5, 34], 5);
const attributionControl = L.control.attribution({ prefix: false }).addAttribution(ATTRIBUTION)
  .addTo(map);
L.control.scale({ imperial: false, maxWidth: 140 }).addTo(map);
const borders = L.canvas({ padding: 0.3 }); // one canvas: cheap, and exportable as PNG
// A cluster shows how many uses it holds, coloured by the strictest verdict
// among them; clicking it zooms in, or spreads uses that share one spot.
const cluster = L.markerClusterGroup({ chunkedLoading: true, maxClusterRadius: 36,
  spiderfyOnMaxZoom: true, showCoverageOnHover: false,
  iconCreateFunction: (c) => {
    let worst = "not-covered";
    for (const m of c.getAllChildMarkers())
      if (STRICTNESS[m.options.verdict] > STRICTNESS[worst]) worst = m.options.verdict;
    const n = c.getChildCount();
    return L.divIcon({ className: "marker-cluster use-cluster verdict-" + worst,
                       html: "<div><span>" + n + "</span></div>", iconSize: [34, 34] });
  } });
map.addLayer(cluster);
const markers = new Map(); // use id -> marker
const places = { major: L.layerGroup(), minor: L.layerGroup() };

// For tests and the curious.
window.caveat = { state, map, reveal: (id) => reveal(id), timeline: () => TIMELINE,
                  mapped: () => cluster.getLayers().map((m) => m.options.verdict) };

async function loadOutlines() {
  const r = await fetch("/v1/outlines?step=0.03");
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
  const r = await fetch("/places.tsv");
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

// Splits a page into its rows (CSV quotes respected), for the panel.
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

function clearDataset() {
  state.generation++;
  if (state.controller) state.controller.abort();
  state.uses = []; state.bad = []; state.pages = []; state.selected = null;
  cluster.clearLayers();
  markers.clear();
  $("table-body").textContent = "";
  $("details").innerHTML = '<p class="hint">Select a use on the map or in the table.</p>';
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

// Evaluates the whole dataset page by page, showing progress; a newer
// evaluation (a new file, another day under what-if) cancels this one.
async function evaluate() {
  const ds = state.dataset;
  if (!ds) return;
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
      const r = await fetch("/v1/assess?" + query(), {
        method: "POST", body, signal: controller.signal,
        headers: { "Content-Type": ds.format === "csv" ? "text/csv" : "application/x-ndjson" },
      });
      if (!r.ok) throw new Error("The server could not evaluate this dataset: " +
                                 (await errorText(r)));
      const lines = (await r.text()).split("\n");
      if (generation !== state.generation) return;
      let row = 0;
      for (const line of lines) {
        if (!line) continue;
        const res = JSON.parse(line);
        if (res.error) bad.push({ id: res.id, line: res.error.line, message: res.error.message,
                                  field: res.error.field });
        else {
          res.day = res.date ? toDay(res.date) : undefined;
          res.page = pages.length - 1;
          res.row = row;
          uses.push(res);
          for (const v of res.verdicts)
            if (!state.donors.includes(v.donor)) state.donors.push(v.donor);
        }
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
  drawAll();
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

async function fullResult(use) {
  const { header, row } = await rowText(use);
  const body = header ? header + "\n" + row + "\n" : row + "\n";
  const r = await fetch("/v1/assess?" + query({ detail: "full" }), {
    method: "POST", body,
    headers: { "Content-Type": header ? "text/csv" : "application/x-ndjson" } });
  if (!r.ok) throw new Error(await errorText(r));
  const res = JSON.parse((await r.text()).split("\n")[0]);
  let fields = null;
  if (header) {
    const names = parseCsvRow(header), values = parseCsvRow(row);
    fields = names.map((n, i) => [n, values[i] || ""]).filter(([, v]) => v !== "");
  } else {
    try { fields = Object.entries(JSON.parse(row)).map(([k, v]) => [k, typeof v === "object" ?
      JSON.stringify(v) : String(v)]); } catch (_) { fields = null; }
  }
  return { res, fields };
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
  for (const u of sample) {
    try {
      const { res } = await fullResult(u);
      for (const v of res.verdicts || []) {
        if (v.policy_as_of) state.asOf[v.donor] = v.policy_as_of;
        const a = (state.assumptions[v.donor] = state.assumptions[v.donor] || {});
        for (const [k, x] of Object.entries(v.assumptions || {})) if (!(k in a)) a[k] = x;
      }
    } catch (_) { /* the panel will say, if this use is opened */ }
  }
  drawAssumptionControls();
  setupTimeline();
}

// ----------------------------------------------------------------- drawing
function verdictOf(use) {
  const donor = $("donor-filter").value;
  if (donor) {
    const v = use.verdicts.find((x) => x.donor === donor);
    return v ? v.verdict : null;
  }
  let best = null;
  for (const v of use.verdicts)
    if (best === null || STRICTNESS[v.verdict] > STRICTNESS[best]) best = v.verdict;
  return best;
}

function visibleUses() {
  const day = Number($("day").value), whatif = $("whatif").checked;
  const from = $("from-filter").value ? toDay($("from-filter").value) : -Infinity;
  const to = $("to-filter").value ? toDay($("to-filter").value) : Infinity;
  const shown = new Set(VERDICTS.filter((v) => $("verdict-" + v).checked));
  return state.uses.filter((u) => {
    const v = verdictOf(u);
    if (v === null || !shown.has(v)) return false;
    if (u.day !== undefined && (u.day < from || u.day > to)) return false;
    if (!whatif && u.day !== undefined && u.day > day) return false;
    return true;
  });
}

// The table, narrowed to the map's view when asked: the map itself always
// shows the filtered uses, wherever they are.
function tableUses(uses) {
  if (!$("in-view").checked) return uses;
  const bounds = map.getBounds();
  return uses.filter((u) => u.lat !== undefined && bounds.contains([u.lat, u.lon]));
}

function drawAll() {
  drawDonorFilter();
  const uses = visibleUses();
  drawMap(uses);
  drawTable(tableUses(uses));
  const n = state.uses.length;
  $("status").textContent = uses.length.toLocaleString("en") + " of " + n.toLocaleString("en") +
    " uses shown" + (state.dataset ? " from " + state.dataset.name : "");
  $("legend-note").textContent = $("donor-filter").value
    ? "Colour: the verdict of " + $("donor-filter").value + "."
    : "Colour: the strictest verdict among the donors (forbidden, then undetermined, then permitted).";
  drawAsOfNotice();
  saveState();
}

function drawMap(uses) {
  cluster.clearLayers();
  markers.clear();
  const list = [];
  for (const u of uses) {
    if (u.lat === undefined) continue;
    if (list.length >= MAP_MAX) break;
    const v = verdictOf(u);
    const m = L.marker([u.lat, u.lon], {
      keyboard: true, title: u.id + ": " + v, verdict: v,
      icon: L.divIcon({ className: "use-marker verdict-" + v + (u.id === state.selected ? " selected" : ""),
                        html: '<span data-id="' + escapeHtml(u.id) + '"></span>', iconSize: [14, 14] }),
    });
    m.on("click", () => select(u.id, "map"));
    m.on("add", () => {
      const el = m.getElement();
      if (!el || el.dataset.keys) return;
      el.setAttribute("role", "button");
      el.setAttribute("aria-label", u.id + ", " + v);
      el.dataset.keys = "yes"; // Enter or Space opens it, as a button would
      el.addEventListener("keydown", (e) => {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); select(u.id, "map"); }
      });
    });
    markers.set(u.id, m);
    list.push(m);
  }
  cluster.addLayers(list);
  const located = uses.filter((u) => u.lat !== undefined).length;
  $("table-note").textContent = located > MAP_MAX ? "The map shows the first " +
    MAP_MAX.toLocaleString("en") + " of " + located.toLocaleString("en") +
    " located uses; the table and the CSV export hold them all." : "";
}

function tableColumns() {
  return [
    { key: "id", label: "Use", value: (u) => u.id },
    { key: "date", label: "Date", value: (u) => u.date || "" },
    ...state.donors.map((d) => ({ key: "donor:" + d, label: d,
      value: (u) => (u.verdicts.find((v) => v.donor === d) || {}).verdict || "" })),
    { key: "place", label: "Lat, lon", value: (u) => u.lat === undefined ? "" :
      u.lat.toFixed(2) + ", " + u.lon.toFixed(2) },
  ];
}

function sortedUses(uses) {
  const col = tableColumns().find((c) => c.key === state.sort.key) || tableColumns()[1];
  const dir = state.sort.dir;
  return uses.slice().sort((a, b) => {
    const x = col.value(a), y = col.value(b);
    return (x < y ? -1 : x > y ? 1 : 0) * dir;
  });
}

function drawTable(uses) {
  const cols = tableColumns();
  $("table-head").innerHTML = cols.map((c) => {
    const sorted = state.sort.key === c.key;
    const aria = sorted ? (state.sort.dir > 0 ? "ascending" : "descending") : "none";
    return '<th scope="col" aria-sort="' + aria + '"><button type="button" data-sort="' +
      escapeHtml(c.key) + '">' + escapeHtml(c.label) + (sorted ? (state.sort.dir > 0 ? " ▲" : " ▼") : "") +
      "</button></th>";
  }).join("");
  const rows = sortedUses(uses).slice(0, TABLE_MAX);
  $("table-body").innerHTML = rows.map((u) => '<tr tabindex="0" data-id="' + escapeHtml(u.id) + '"' +
    (u.id === state.selected ? ' class="selected" aria-selected="true"' : "") + ">" +
    cols.map((c) => {
      const v = c.value(u);
      return c.key.startsWith("donor:") && v ? '<td><span class="dot ' + escapeHtml(v) +
        '"></span> ' + escapeHtml(v) + "</td>" : "<td>" + escapeHtml(v) + "</td>";
    }).join("") + "</tr>").join("");
  if (uses.length > TABLE_MAX)
    $("table-note").textContent = ($("table-note").textContent + " The table shows the first " +
      TABLE_MAX + " of " + uses.length.toLocaleString("en") + " uses in this order; the CSV export " +
      "holds them all.").trim();
}

function drawDonorFilter() {
  const sel = $("donor-filter"), keep = sel.value || (state.pending && state.pending.donor) || "";
  const want = ["", ...state.donors];
  if (sel.options.length !== want.length)
    sel.innerHTML = want.map((d) => '<option value="' + escapeHtml(d) + '">' +
      (d ? escapeHtml(d) : "every donor") + "</option>").join("");
  if (want.includes(keep)) sel.value = keep;
}

function drawAsOfNotice() {
  const day = toIso(Number($("day").value));
  const past = Object.entries(state.asOf).filter(([, asOf]) => day > asOf);
  $("asof-notice").hidden = !past.length;
  $("asof-notice").textContent = past.map(([donor, asOf]) => "The " + donor +
    " record ends on " + asOf + ": for " + day + " it assumes nothing changed since.").join(" ");
}

// -------------------------------------------------------------- the panel
async function select(id, from) {
  state.selected = id;
  const use = state.uses.find((u) => u.id === id);
  document.querySelectorAll("#table-body tr.selected").forEach((tr) => {
    tr.classList.remove("selected"); tr.removeAttribute("aria-selected"); });
  const tr = document.querySelector('#table-body tr[data-id="' + CSS.escape(id) + '"]');
  if (tr) { tr.classList.add("selected"); tr.setAttribute("aria-selected", "true");
            if (from === "map") tr.scrollIntoView({ block: "nearest" }); }
  document.querySelectorAll(".use-marker.selected").forEach((el) => el.classList.remove("selected"));
  const m = markers.get(id);
  if (m && m.getElement()) m.getElement().classList.add("selected");
  saveState();
  if (!use) return;
  $("details").innerHTML = "<h2>" + escapeHtml(id) + "</h2><p>Loading…</p>";
  try {
    const { res, fields } = await fullResult(use);
    if (state.selected !== id) return;
    $("details").innerHTML = panel(res, fields);
  } catch (e) {
    $("details").innerHTML = "<h2>" + escapeHtml(id) + "</h2><p>This use's details could not be " +
      "loaded: " + escapeHtml(e.message) + "</p>";
  }
}

function dl(pairs) {
  const items = pairs.filter(([, v]) => v !== undefined && v !== null && v !== "");
  return items.length ? "<dl>" + items.map(([k, v]) => "<dt>" + escapeHtml(k) + "</dt><dd>" +
    escapeHtml(v) + "</dd>").join("") + "</dl>" : "";
}

const KNOWN_VERDICT_KEYS = new Set(["donor", "verdict", "policy_as_of", "rules", "overridden",
  "strength", "citations", "assumptions", "branches", "explanation", "date", "facts_used"]);
const KNOWN_CITATION_KEYS = new Set(["rule", "source", "outlet", "title", "date", "url", "quote",
  "paraphrase"]);
const NOTE_COLUMNS = ["notes", "note", "description", "summary"];

function used(v, name) {
  const f = v.facts_used && v.facts_used[name];
  return f && f.value !== null && f.value !== undefined ? String(f.value) : undefined;
}

// A branch's condition in words: a value, a list of values, or their negation;
// any other form as it is.
function condition(name, x) {
  const list = (a) => a.join(", ");
  if (Array.isArray(x)) return name + " is one of " + list(x);
  if (x && typeof x === "object" && "not" in x && Object.keys(x).length === 1)
    return Array.isArray(x.not) ? name + " is none of " + list(x.not) : name + " is not " + x.not;
  if (x && typeof x === "object") return name + " " + JSON.stringify(x);
  return name + " is " + x;
}

function citation(c) {
  const text = c.quote !== undefined ? "<blockquote>“" + escapeHtml(c.quote) + "”"
    : c.paraphrase !== undefined ? '<blockquote class="paraphrase">Paraphrase: ' +
      escapeHtml(c.paraphrase) : "<blockquote>";
  const title = c.title || c.source;
  const link = c.url && /^https?:\/\//.test(c.url)
    ? '<a href="' + escapeHtml(c.url) + '" rel="noopener noreferrer" target="_blank">' +
      escapeHtml(title) + "</a>" : escapeHtml(title);
  const extra = Object.entries(c).filter(([k]) => !KNOWN_CITATION_KEYS.has(k))
    .map(([k, x]) => escapeHtml(k) + ": " + escapeHtml(typeof x === "object" ? JSON.stringify(x) : x));
  return text + '<div class="source">' + [escapeHtml(c.outlet || "outlet unknown"), link,
    escapeHtml(c.date || "date unknown"), "rule " + escapeHtml(c.rule || "")].concat(extra)
    .join(" · ") + "</div></blockquote>";
}

function panel(res, fields) {
  const f = res.facts || {};
  const v0 = (res.verdicts || [])[0] || {};
  const row = new Map(fields || []);
  const notes = NOTE_COLUMNS.map((n) => row.get(n)).find((x) => x);
  const parts = ["<h2>" + escapeHtml(res.id) + "</h2>", "<h3>What happened</h3>", dl([
    ["Date", v0.date || row.get("date") || row.get("event_date")],
    ["System", f.system ? f.system + (f.system_class ? " (" + f.system_class + ")" : "") : undefined],
    ["Operator", f.operator],
    ["Target", used(v0, "target") || row.get("target")],
    ["Purpose", used(v0, "purpose") || row.get("purpose")],
    ["Where", [f.territory, f.region, f.place].filter((x) => x).join(", ") +
      (typeof f.border_km === "number" ? "; " + f.border_km + " km from Ukraine's border" : "")],
    ["Point", f.lat !== undefined ? f.lat + ", " + f.lon : undefined],
  ])];
  if (notes) parts.push('<p class="notes">' + escapeHtml(notes) + "</p>");
  const otherFacts = Object.entries(f).filter(([k]) => !["system", "system_class", "operator",
    "territory", "region", "place", "border_km", "lat", "lon"].includes(k));
  if (otherFacts.length) parts.push("<details><summary>Other facts</summary>" +
    dl(otherFacts.map(([k, x]) => [k, typeof x === "object" ? JSON.stringify(x) : String(x)])) +
    "</details>");
  for (const v of res.verdicts || []) {
    parts.push("<h3>" + escapeHtml(v.donor) + ': <span class="dot ' + escapeHtml(v.verdict) +
      '"></span><span class="verdict">' + escapeHtml(v.verdict) + "</span></h3>");
    parts.push("<p>" + escapeHtml(v.explanation || "") + "</p>");
    parts.push(dl([
      ["Rules of", v.date],
      ["Record as of", v.policy_as_of],
      ["Deciding", (v.rules || []).join(", ") || "none"],
      ["Overridden", (v.overridden || []).join(", ")],
      ["Strength", v.strength ? v.strength + (v.said_by ? " (said by " + v.said_by + ")" : "") : ""],
      ["Assumptions", Object.entries(v.assumptions || {}).map(([k, x]) => k + " = " + x).join(", ")],
    ]));
    if ((v.branches || []).length)
      parts.push("<p>Depends on what the record does not say:</p><ul>" + v.branches.map((b) =>
        '<li><span class="dot ' + escapeHtml(b.verdict) + '"></span>' + escapeHtml(b.verdict) +
        " if " + escapeHtml(Object.entries(b.if || {}).map(([k, x]) => condition(k, x)).join(" and ")) +
        ((b.rules || []).length ? " (" + escapeHtml(b.rules.join(", ")) + ")" : "") +
        "</li>").join("") + "</ul>");
    const extra = Object.entries(v).filter(([k]) => !KNOWN_VERDICT_KEYS.has(k) && k !== "said_by");
    if (extra.length) parts.push(dl(extra.map(([k, x]) => [k, typeof x === "object" ?
      JSON.stringify(x) : String(x)])));
    if ((v.citations || []).length)
      parts.push("<h3>Sources</h3>" + v.citations.map(citation).join(""));
  }
  if (fields && fields.length)
    parts.push("<details><summary>The dataset's row</summary>" + dl(fields) + "</details>");
  return parts.join("");
}

// Shows a use on the map: zooms into its cluster (spreading uses that share
// a spot) and selects it.
function reveal(id) {
  const m = markers.get(id);
  select(id, "table");
  if (!m) return Promise.resolve(false);
  return new Promise((resolve) => cluster.zoomToShowLayer(m, () => {
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

// One block per donor, the donor's name in a gutter on the left and a lane
// per effect (permit, open, forbid) holding the periods of its rules of that
// effect: with twenty donors the strip stays about 400 px high.
const TIMELINE = { width: 1000, gutter: 60, lane: 6 };

function drawTimeline() {
  const [lo, hi] = state.domain, { width, gutter, lane } = TIMELINE, axis = 16;
  const x = (d) => gutter + ((d - lo) / (hi - lo)) * (width - gutter);
  let y = 2;
  const parts = [];
  for (const p of state.policies) {
    const effects = ["permit", "open", "forbid"].filter((e) => p.rules.some((r) => r.effect === e));
    const others = [...new Set(p.rules.map((r) => r.effect))].filter((e) => !effects.includes(e));
    const lanes = effects.concat(others);
    parts.push('<text x="2" y="' + (y + Math.max(lanes.length * lane, 9)) + '" font-size="11" fill="#222">' +
      escapeHtml(p.donor) + "</text>");
    lanes.forEach((effect, i) => {
      for (const r of p.rules.filter((q) => q.effect === effect)) {
        const a = Math.max(r.from ? toDay(r.from) : lo, lo), b = Math.min(r.until ? toDay(r.until) : hi, hi);
        if (b <= a) continue;
        parts.push('<rect x="' + x(a).toFixed(1) + '" y="' + (y + i * lane) + '" width="' +
          Math.max(1, x(b) - x(a)).toFixed(1) + '" height="' + (lane - 1) + '" fill="' +
          (EFFECT_COLOURS[effect] || "#666") + '" fill-opacity="0.75"><title>' + escapeHtml(p.donor +
          " " + r.id + " (" + effect + "): " + (r.from || "start") + " to " + (r.until || "now")) +
          "</title></rect>");
      }
    });
    y += Math.max(lanes.length * lane, 10) + 3;
  }
  const day = Number($("day").value);
  parts.push('<line id="timeline-day" x1="' + x(day) + '" x2="' + x(day) + '" y1="0" y2="' + y +
    '" stroke="#1a5fb4" stroke-width="2"/>');
  for (let year = new Date(lo * DAY_MS).getUTCFullYear() + 1;
       year <= new Date(hi * DAY_MS).getUTCFullYear(); year++) {
    const d = toDay(year + "-01-01");
    parts.push('<line x1="' + x(d) + '" x2="' + x(d) + '" y1="0" y2="' + y +
      '" stroke="#999" stroke-dasharray="2 2"/><text x="' + (x(d) + 2) + '" y="' + (y + axis - 4) +
      '" font-size="11" fill="#333">' + year + "</text>");
  }
  $("timeline").innerHTML = '<svg role="img" aria-label="Rules of each donor over time: green ' +
    'permit, red forbid, amber open; click a day to move the slider there" viewBox="0 0 ' + width +
    " " + (y + axis) + '" preserveAspectRatio="none" height="' + (y + axis) + '">' +
    parts.join("") + "</svg>";
  $("timeline").querySelector("svg").addEventListener("click", (e) => {
    const box = e.currentTarget.getBoundingClientRect();
    const at = ((e.clientX - box.left) / box.width) * width;
    if (at < gutter) return;
    $("day").value = Math.round(lo + ((at - gutter) / (width - gutter)) * (hi - lo));
    onDay();
  });
}

// ------------------------------------------------------------------ what-if
function drawAssumptionControls() {
  const box = $("assumption-controls");
  const donors = Object.keys(state.assumptions).filter((d) => Object.keys(state.assumptions[d]).length);
  if (!donors.length) return;
  // A name declared by one policy alone is sent bare; shared names are scoped DONOR.NAME.
  const count = {};
  for (const d of donors) for (const k of Object.keys(state.assumptions[d])) count[k] = (count[k] || 0) + 1;
  box.innerHTML = donors.map((d) => "<fieldset><legend>" + escapeHtml(d) + "</legend>" +
    Object.entries(state.assumptions[d]).map(([k, def]) => {
      const key = count[k] > 1 ? d + "." + k : k;
      const id = "assume-" + key.replace(/[^A-Za-z0-9_-]/g, "_");
      const value = key in state.assume ? state.assume[key] : def;
      return '<label for="' + id + '">' + escapeHtml(k) + " (default " + escapeHtml(def) +
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
  if (state.dataset) q.set("data", state.dataset.name);
  q.set("day", toIso(Number($("day").value)));
  if ($("whatif").checked) q.set("whatif", "1");
  for (const [k, v] of Object.entries(state.assume)) q.set("assume." + k, v);
  if (state.selected) q.set("use", state.selected);
  const c = map.getCenter();
  q.set("map", c.lat.toFixed(4) + "," + c.lng.toFixed(4) + "," + map.getZoom());
  if ($("donor-filter").value) q.set("donor", $("donor-filter").value);
  const off = VERDICTS.filter((v) => !$("verdict-" + v).checked);
  if (off.length) q.set("hide", off.join(","));
  if ($("from-filter").value) q.set("from", $("from-filter").value);
  if ($("to-filter").value) q.set("to", $("to-filter").value);
  if ($("in-view").checked) q.set("inview", "1");
  history.replaceState(null, "", "#" + q.toString());
}

function readState() {
  const q = new URLSearchParams(location.hash.slice(1));
  const pending = { data: q.get("data"), day: q.get("day"), use: q.get("use"), donor: q.get("donor") };
  $("whatif").checked = q.get("whatif") === "1";
  for (const [k, v] of q) if (k.startsWith("assume.") && isFinite(Number(v))) state.assume[k.slice(7)] = Number(v);
  const view = (q.get("map") || "").split(",").map(Number);
  if (view.length === 3 && view.every(isFinite)) map.setView([view[0], view[1]], view[2]);
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
  const cols = tableColumns();
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
    g.beginPath(); g.arc(cx, cy, r.width / 2, 0, 2 * Math.PI);
    g.fillStyle = getComputedStyle(inner).backgroundColor; g.fill();
    g.strokeStyle = "#222"; g.lineWidth = 1; g.stroke();
    if (el.classList.contains("marker-cluster")) {
      g.fillStyle = "#111"; g.textAlign = "center"; g.textBaseline = "middle";
      g.fillText(el.textContent, cx, cy); g.textAlign = "start"; g.textBaseline = "alphabetic";
    }
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
  const line = $("timeline-day");
  if (line) drawTimeline();
  drawAsOfNotice();
  clearTimeout(dayTimer);
  if ($("whatif").checked) document.body.dataset.busy = "yes";
  // Under what-if every move asks the server again: wait for the slider to
  // rest, and cancel what is in flight (evaluate() aborts it).
  dayTimer = setTimeout(() => {
    dayTimer = null;
    if ($("whatif").checked) evaluate(); else drawAll();
  }, $("whatif").checked ? DEBOUNCE_MS : 30);
}

function setupFilters() {
  $("verdict-filter").insertAdjacentHTML("beforeend", VERDICTS.map((v) =>
    '<label><input type="checkbox" id="verdict-' + v + '" checked> <span class="dot ' + v +
    '"></span>' + v + "</label>").join(""));
  $("filters").addEventListener("change", drawAll);
  $("filters").addEventListener("submit", (e) => e.preventDefault());
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

$("day").addEventListener("input", onDay);
$("whatif").addEventListener("change", () => { saveState(); evaluate(); });
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

(async () => {
  setupFilters();
  const pending = readState();
  state.pending = pending;
  if (pending.day && /^\d{4}-\d\d-\d\d$/.test(pending.day)) { // the first what-if needs its day
    const d = toDay(pending.day);
    Object.assign($("day"), { min: d, max: d, value: d });
  }
  const policies = await fetch("/v1/policies");
  if (policies.ok) state.policies = await policies.json();
  await Promise.all([loadOutlines(), loadPlaces()]);
  const sample = await fetch("/sample.csv");
  if (pending.data && pending.data !== "sample.csv")
    $("status").textContent = "This link was made with " + pending.data + ": open that file " +
      "to see its uses; the sample is shown meanwhile.";
  await useDataset(fromText("sample.csv", await sample.text()));
  if (pending.data && pending.data !== "sample.csv") showError("Open " + pending.data +
    " (the dataset this link was made with) to restore its uses.");
  if (pending.use && state.uses.some((u) => u.id === pending.use)) await select(pending.use);
  state.pending = null;
  document.body.dataset.ready = "yes";
})();
