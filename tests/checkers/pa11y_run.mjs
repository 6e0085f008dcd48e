// pa11y with HTML_CodeSniffer (WCAG 2 AA) over many addresses in one browser: Debian's Chromium, no download.
// Usage: node pa11y_run.mjs URL...; prints {"url": [{code, message, selector, type}], ...} as JSON.
import pa11y from "pa11y";
import puppeteer from "puppeteer";

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  headless: true,
});
const results = {};
try {
  for (const url of process.argv.slice(2)) {
    const page = await browser.newPage();
    const found = await pa11y(url, { browser, page, standard: "WCAG2AA", runners: ["htmlcs"], timeout: 60000 });
    results[url] = found.issues.map(({ code, message, selector, type }) => ({ code, message, selector, type }));
    await page.close();
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(results));
