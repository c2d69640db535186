// Drives Debian's Chromium through playwright-core for browser_test.go: loads
// the agenda page and the index from the test's httptest server with the
// browser's zone set to Asia/Kuala_Lumpur, and prints what it saw as JSON on
// stdout. The Go test makes the assertions; this script only observes.
//
// Usage: node browser.cjs <playwright-core dir> <chromium> <page URL> <index URL> <user data dir> <screenshot dir>
// Never downloads a browser: it launches the executable it is given.
"use strict";

const [pwDir, chromiumPath, pageURL, indexURL, userDataDir, shotDir] = process.argv.slice(2);
const { chromium } = require(pwDir);
const path = require("path");

const zone = "Asia/Kuala_Lumpur";

async function main() {
  const t0 = Date.now();
  const mark = (what) => out.timings.push(what + " " + (Date.now() - t0) + "ms");
  const out = {
    timings: [],
    console: [], pageErrors: [], failedRequests: [], badResponses: [], dialogs: [], requests: [],
  };
  const ctx = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    timezoneId: zone,
    locale: "en-GB",
    viewport: { width: 1000, height: 900 },
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--disable-dev-shm-usage",
    ],
    timeout: 45000, // a 2-core machine running the other packages' tests meanwhile can take over 15 s
  });
  mark("launched");
  try {
    // Runs before the page's own script, outside its CSP: records policy
    // violations so that a blocked script or style cannot pass unnoticed.
    await ctx.addInitScript(() => {
      window.__csp = [];
      document.addEventListener("securitypolicyviolation", (e) => {
        window.__csp.push(e.violatedDirective + " " + e.blockedURI);
      });
    });
    const page = ctx.pages()[0] || (await ctx.newPage());
    page.setDefaultTimeout(5000);
    page.on("console", (m) => out.console.push({ type: m.type(), text: m.text() }));
    page.on("pageerror", (e) => out.pageErrors.push(String(e)));
    page.on("requestfailed", (r) => out.failedRequests.push(r.url() + " " + (r.failure() || {}).errorText));
    page.on("request", (r) => out.requests.push(r.url()));
    page.on("response", (r) => { if (r.status() >= 400) out.badResponses.push(r.status() + " " + r.url()); });
    page.on("dialog", async (d) => { out.dialogs.push(d.type() + ": " + d.message()); await d.dismiss(); });

    await page.goto(pageURL, { waitUntil: "load" });
    mark("loaded");
    out.timeZone = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    out.csp = await page.evaluate(() => window.__csp);
    out.pwned = await page.evaluate(() => (window.__pwned === undefined ? null : String(window.__pwned)));
    out.local = {};
    for (const id of ["open-policy-debate-2021", "digital-rights-webinar", "scewc-2021", "la-evening"]) {
      out.local[id] = await page.evaluate((id) => {
        const el = document.querySelector("#" + CSS.escape(id) + " .local");
        return el ? { text: el.textContent, hidden: el.hidden } : null;
      }, id);
    }
    out.when = await page.locator("#open-policy-debate-2021 .when").innerText();
    out.laWhen = await page.locator("#la-evening .when").innerText();
    out.subscribe = await page.$$eval(".subscribe a", (as) => as.map((a) => ({ text: a.innerText, href: a.href })));
    out.google = await page.getAttribute("#open-policy-debate-2021 .actions a >> text=Add to Google Calendar", "href");
    const xss = page.locator("#xss_h");
    out.xssTitle = await xss.textContent();
    out.xssVisible = await xss.isVisible();
    out.scriptCount = await page.evaluate(() => document.scripts.length);
    out.h1 = await page.locator("h1").innerText();

    await page.screenshot({ path: path.join(shotDir, "page-kuala-lumpur.png"), fullPage: true });
    await page.locator("#day_2021-11-17").locator("xpath=..").screenshot({ path: path.join(shotDir, "day.png") });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(shotDir, "page-mobile.png"), fullPage: false });

    mark("screenshots");
    await page.setViewportSize({ width: 1000, height: 900 });
    await page.goto(indexURL, { waitUntil: "load" });
    out.indexTitle = await page.title();
    out.indexCsp = await page.evaluate(() => window.__csp);
    await page.screenshot({ path: path.join(shotDir, "index.png"), fullPage: true });
    mark("index");
  } finally {
    await ctx.close();
  }
  mark("closed");

  // The same page read from the session's own zone must not add a local
  // line: a second browser, with its own profile, in Europe/Madrid.
  const madrid = await chromium.launchPersistentContext(userDataDir + "-madrid", {
    executablePath: chromiumPath, headless: true, timezoneId: "Europe/Madrid", locale: "en-GB",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--disable-dev-shm-usage",
    ],
    timeout: 45000, // a 2-core machine running the other packages' tests meanwhile can take over 15 s
  });
  try {
    const page = madrid.pages()[0] || (await madrid.newPage());
    page.on("console", (m) => out.console.push({ type: m.type(), text: "[madrid] " + m.text() }));
    page.on("pageerror", (e) => out.pageErrors.push("[madrid] " + String(e)));
    await page.goto(pageURL, { waitUntil: "load" });
    out.madrid = await page.evaluate(() => {
      const el = document.querySelector("#open-policy-debate-2021 .local");
      return { zone: Intl.DateTimeFormat().resolvedOptions().timeZone, text: el.textContent, hidden: el.hidden };
    });
  } finally {
    await madrid.close();
  }
  mark("madrid");
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + "\n");
  process.exit(1);
});
