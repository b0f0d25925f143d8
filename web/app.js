// app.js -- the page of 'caveat serve': a map of uses coloured by verdict
// over the de jure borders, a day slider, and the explanation and citations
// of a clicked use.  It asks the API for everything: /v1/outlines for the
// borders, /v1/assess for the verdicts (the shipped sample dataset, or a file
// the user picks).  Plain DOM and Leaflet; no build step.
"use strict";

const colours = { permitted: "#2e9e44", forbidden: "#d7301f", undetermined: "#f0a202",
                  "not-covered": "#8c8c8c" };
const $ = (id) => document.getElementById(id);
const dayMs = 86400000;
const toDay = (iso) => Math.round(Date.parse(iso + "T00:00:00Z") / dayMs);
const toIso = (day) => new Date(day * dayMs).toISOString().slice(0, 10);

const map = L.map("map", { preferCanvas: false, attributionControl: false })
  .setView([49.5, 34], 5);
const markers = L.layerGroup().addTo(map);
let dataset = "";          // the dataset's text, as posted to /v1/assess
let results = [];          // one parsed result (or error) per row
let dates = [];            // the day of each row, from the dataset
// For tests and the curious: what is shown, and a way to pick a use.
window.caveat = { shown: [], select: (i) => show(window.caveat.shown[i]) };

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) =>
    ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

async function loadOutlines() {
  const r = await fetch("/v1/outlines?step=0.03");
  if (!r.ok) { $("status").textContent = "no borders: " + (await r.text()); return; }
  const outlines = await r.json();
  // Countries filled first, regions' lines drawn over them.
  const of = (kind) => ({ type: "FeatureCollection",
                          features: outlines.features.filter((f) => f.properties.kind === kind) });
  L.geoJSON(of("country"), {
    style: (f) => ({ color: "#444", weight: 1.2, fillOpacity: 1,
                     fillColor: f.properties.code === "UA" ? "#fff6c8" : "#f3f1ec" }),
  }).addTo(map);
  L.geoJSON(of("region"), {
    style: { color: "#888", weight: 0.6, dashArray: "3 3", fill: false },
    onEachFeature: (f, layer) => layer.bindTooltip(escapeHtml(f.properties.code)),
  }).addTo(map);
}

async function assess() {
  const whatif = $("whatif").checked;
  const query = whatif ? "?as_of=" + toIso(Number($("day").value)) : "";
  $("status").textContent = "evaluating…";
  const r = await fetch("/v1/assess" + query, { method: "POST", body: dataset });
  if (!r.ok) { $("status").textContent = "error: " + (await r.text()); return; }
  results = (await r.text()).split("\n").filter((l) => l).map((l) => JSON.parse(l));
  draw();
}

function draw() {
  markers.clearLayers();
  window.caveat.shown = [];
  const day = Number($("day").value), whatif = $("whatif").checked;
  $("day-label").textContent = toIso(day);
  let errors = 0;
  results.forEach((res, i) => {
    if (res.error) { errors++; return; }
    if (!whatif && dates[i] !== undefined && dates[i] > day) return;
    const f = res.facts, v = res.verdicts[0];
    if (!v || f.lat === undefined) return;
    const m = L.circleMarker([f.lat, f.lon], {
      radius: 7, weight: 1, color: "#222", fillColor: colours[v.verdict], fillOpacity: 0.9,
      className: "use-marker verdict-" + v.verdict,
    }).addTo(markers);
    m.bindTooltip(escapeHtml(res.id) + ": " + v.verdict);
    m.on("click", () => show(res));
    window.caveat.shown.push(res);
  });
  $("status").textContent = window.caveat.shown.length + " uses shown" +
    (errors ? ", " + errors + " rows could not be read" : "");
}

function show(res) {
  if (!res) return;
  const parts = ["<h2>" + escapeHtml(res.id) + "</h2>"];
  const f = res.facts;
  parts.push("<p>" + escapeHtml([f.territory, f.region, f.border_km !== null ?
    f.border_km + " km from Ukraine's border" : null].filter((x) => x).join(", ")) + "</p>");
  for (const v of res.verdicts) {
    parts.push('<p><span class="dot ' + v.verdict + '"></span> ' + escapeHtml(v.donor) +
      ': <span class="verdict">' + escapeHtml(v.verdict) + "</span> (rules in force on " +
      escapeHtml(v.date) + ")</p>");
    parts.push("<p>" + escapeHtml(v.explanation) + "</p>");
    if (v.citations.length) {
      parts.push("<h2>Sources</h2>");
      for (const c of v.citations)
        parts.push("<blockquote>“" + escapeHtml(c.quote) + "”<div class=\"source\">" +
          escapeHtml(c.rule) + " — " + escapeHtml(c.source) + ", " + escapeHtml(c.outlet) +
          ", " + escapeHtml(c.date) + "</div></blockquote>");
    }
    const assumptions = Object.entries(v.assumptions);
    if (assumptions.length)
      parts.push("<p>Assumptions: " + assumptions.map(([k, x]) => escapeHtml(k) + " = " +
        escapeHtml(x)).join(", ") + "</p>");
  }
  $("details").innerHTML = parts.join("");
}

// Each row's day, from the dataset itself: the results carry the day whose
// rules were applied, which under a what-if is not the row's own.
async function rowDays() {
  const own = await fetch("/v1/assess", { method: "POST", body: dataset });
  const rows = (await own.text()).split("\n").filter((l) => l).map((l) => JSON.parse(l));
  dates = rows.map((r) => (r.verdicts && r.verdicts[0] ? toDay(r.verdicts[0].date) : undefined));
  const known = dates.filter((d) => d !== undefined);
  const slider = $("day");
  slider.min = known.length ? Math.min(...known) : toDay("2022-01-01");
  slider.max = known.length ? Math.max(...known) : toDay("2024-12-31");
  slider.value = slider.max;
}

async function useDataset(text) {
  dataset = text;
  await rowDays();
  await assess();
}

$("day").addEventListener("input", () => ($("whatif").checked ? assess() : draw()));
$("whatif").addEventListener("change", assess);
$("dataset").addEventListener("change", async (e) => {
  const file = e.target.files[0];
  if (file) await useDataset(await file.text());
});

(async () => {
  await loadOutlines();
  await useDataset(await (await fetch("/sample.csv")).text());
  document.body.dataset.ready = "yes";
})();
