// Drives Debian's Chromium through playwright-core for reflow_test.go: loads
// each page at a phone's width (375 CSS px) and reports how wide the
// document is and which elements stick out of the viewport; then, as
// printed, what follows each link and which parts print hides. The Go test
// makes the assertions; this script only observes.
//
// Usage: node reflow.cjs <playwright-core dir> <chromium> <user data dir> <page URL>...
// Never downloads a browser: it launches the executable it is given.
"use strict";

const [pwDir, chromiumPath, userDataDir, ...urls] = process.argv.slice(2);
const { chromium } = require(pwDir);

async function main() {
  const out = { pages: [], console: [], pageErrors: [] };
  const ctx = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    timezoneId: "Europe/Madrid",
    locale: "en-GB",
    viewport: { width: 375, height: 700 },
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--disable-dev-shm-usage",
    ],
    timeout: 45000, // a 2-core machine running the other packages' tests meanwhile can take over 15 s
  });
  try {
    const page = ctx.pages()[0] || (await ctx.newPage());
    page.setDefaultTimeout(5000);
    page.on("console", (m) => out.console.push({ type: m.type(), text: m.text() }));
    page.on("pageerror", (e) => out.pageErrors.push(String(e)));
    for (const url of urls) {
      await page.emulateMedia({ media: "screen" });
      await page.goto(url, { waitUntil: "load" });
      const seen = await page.evaluate(() => {
        const vw = window.innerWidth;
        // The innermost elements past the right edge: those whose own
        // text or box overflows, not every ancestor of theirs.
        const over = [];
        for (const el of document.body.querySelectorAll("*")) {
          const r = el.getBoundingClientRect();
          if (r.width === 0 || r.right <= vw + 0.5 || el.closest(".vh")) {
            continue;
          }
          const inner = [...el.children].some((c) => c.getBoundingClientRect().right > vw + 0.5);
          if (!inner) {
            over.push(el.tagName.toLowerCase() + (el.className ? "." + el.className : "") + " " +
              Math.round(r.right) + "px: " + el.textContent.trim().slice(0, 50));
          }
        }
        return { viewport: vw, scrollWidth: document.documentElement.scrollWidth, overflowing: over };
      });
      await page.emulateMedia({ media: "print" });
      seen.print = await page.evaluate(() => {
        const after = (a) => {
          const c = getComputedStyle(a, "::after").content;
          return c === "none" || c === "normal" ? "" : c;
        };
        return {
          links: [...document.querySelectorAll("a[href]")]
            .filter((a) => a.getClientRects().length > 0)
            .map((a) => ({ text: a.innerText.trim(), href: a.href, after: after(a) })),
          hidden: [...document.querySelectorAll(".toc,.subscribe,.actions,.skip")]
            .filter((e) => getComputedStyle(e).display !== "none")
            .map((e) => e.className),
          scrollWidth: document.documentElement.scrollWidth,
        };
      });
      seen.url = url;
      out.pages.push(seen);
    }
  } finally {
    await ctx.close();
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + "\n");
  process.exit(1);
});
