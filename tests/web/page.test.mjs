// page.test.mjs -- the web page in a real browser (Debian's chromium, driven
// by playwright-core): the borders and the sample dataset's uses are drawn,
// coloured by verdict as the API says; clicking a use shows its verdict,
// explanation and sources; the day slider hides later uses; the what-if
// re-judges them.  Saves a screenshot beside the build.
// usage: node page.test.mjs CAVEAT CACHE_DIR SCREENSHOT.png
import { spawn } from "node:child_process";
import { chromium } from "playwright-core";

const [caveat, cache, screenshot] = process.argv.slice(2);
let passed = 0, failed = 0;
const check = (name, ok, detail = "") => {
  if (ok) passed++;
  else { failed++; console.log(`FAIL: ${name} ${detail}`); }
};

const server = spawn(caveat, ["--cache", cache, "serve", "--listen", "127.0.0.1:0"],
                     { stdio: ["ignore", "ignore", "pipe"] });
const port = await new Promise((resolve, reject) => {
  let log = "";
  server.stderr.on("data", (d) => {
    log += d;
    const m = log.match(/http:\/\/127\.0\.0\.1:(\d+)\/v1\//);
    if (m) resolve(m[1]);
  });
  server.on("exit", () => reject(new Error("server exited: " + log)));
  setTimeout(() => reject(new Error("server did not start: " + log)), 10000);
});
const base = `http://127.0.0.1:${port}`;
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(base + "/");
  await page.waitForSelector("body[data-ready=yes]", { timeout: 20000 });

  // What the API says of the sample, to hold the page to.
  const sample = await (await fetch(base + "/sample.csv")).text();
  const api = (await (await fetch(base + "/v1/assess", { method: "POST", body: sample })).text())
    .split("\n").filter((l) => l).map((l) => JSON.parse(l));
  const located = api.filter((r) => !r.error && r.facts.lat !== undefined);

  const borders = await page.locator("path.leaflet-interactive").count();
  const uses = await page.locator("path.use-marker").count();
  check("borders drawn", borders - uses > 5, `(${borders - uses} outline paths)`);
  check("every located use drawn", uses === located.length, `(${uses} of ${located.length})`);
  for (const verdict of ["permitted", "forbidden", "undetermined", "not-covered"]) {
    const want = located.filter((r) => r.verdicts[0].verdict === verdict).length;
    const got = await page.locator(`path.verdict-${verdict}`).count();
    check(`${verdict} uses coloured`, got === want, `(${got} of ${want})`);
  }

  // Click a permitted use on the map itself.
  await page.locator("path.verdict-permitted").first().click({ force: true });
  const details = await page.locator("#details").innerText();
  check("details show the verdict", /US: PERMITTED/i.test(details), details.slice(0, 200));
  check("details show a source", /Sources/.test(details) && /“/.test(details));
  check("details show the explanation", /Permitted under the US policy/.test(details));

  // The slider: back to the first day, only the first day's uses remain.
  const min = await page.locator("#day").getAttribute("min");
  await page.locator("#day").fill(min);
  const firstDay = new Date(Number(min) * 86400000).toISOString().slice(0, 10);
  const onFirstDay = located.filter((r) => r.verdicts[0].date <= firstDay).length;
  check("slider hides later uses", (await page.locator("path.use-marker").count()) === onFirstDay,
        `(${await page.locator("path.use-marker").count()} of ${onFirstDay})`);

  // What-if: every use judged by the rules of the slider's day.
  await page.locator("#day").fill(await page.locator("#day").getAttribute("max"));
  await page.locator("#whatif").check();
  await page.waitForFunction(() => document.getElementById("status").textContent.includes("shown"));
  const whatif = await page.locator("#day-label").innerText();
  const api2 = (await (await fetch(base + "/v1/assess?as_of=" + whatif, { method: "POST", body: sample }))
    .text()).split("\n").filter((l) => l).map((l) => JSON.parse(l));
  const forbiddenThen = api2.filter((r) => !r.error && r.facts.lat !== undefined &&
                                            r.verdicts[0].verdict === "forbidden").length;
  await page.waitForTimeout(300);
  check("what-if re-judges", (await page.locator("path.verdict-forbidden").count()) === forbiddenThen);
  check("no script errors", errors.length === 0, errors.join("; "));
  await page.screenshot({ path: screenshot });
} finally {
  await browser.close();
  server.kill("SIGTERM");
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
