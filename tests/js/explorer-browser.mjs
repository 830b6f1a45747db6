// Opens explorer pages in headless Chromium (Debian's, driven by playwright-core) and prints
// what each page showed, as a JSON list in the order of the jobs.
//
//   node explorer-browser.mjs '[{"url": URL, "mode": "run" | "failure"}, ...]'
//
// "run" clicks GraphiQL's run button (the editor holds the page's default query) and reads
// the result pane; "failure" waits for the page's failure message and reads it. One browser
// serves every job (its start is most of the time), the pages side by side; every wait has
// a deadline.
import { chromium } from 'playwright-core';

const jobs = JSON.parse(process.argv[2]);
const TIMEOUT = 20000;  // (generous: the machine may be busy running other tests)
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});

async function open({ url, mode }) {
  // A context per job: a fresh profile (cache, local storage) every time.
  const context = await browser.newContext();
  const shown = { failedRequests: [], consoleErrors: [] };
  try {
    const page = await context.newPage();
    page.on('requestfailed', (request) => shown.failedRequests.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') shown.consoleErrors.push(message.text());
    });
    // ('commit': a page whose scripts never arrive never finishes parsing.)
    await page.goto(url, { waitUntil: 'commit', timeout: TIMEOUT });
    if (mode === 'run') {
      await page.click('.graphiql-execute-button', { timeout: TIMEOUT });
      await page.waitForFunction(
        () => /"hello"/.test(document.querySelector('.result-window')?.innerText ?? ''),
        null,
        { timeout: TIMEOUT },
      );
      shown.result = await page.innerText('.result-window');
      shown.statusShown = (await page.$('#graphqlwire-explorer-status')) !== null;
    } else {
      const status = await page.waitForSelector('#graphqlwire-explorer-status.failed', {
        timeout: TIMEOUT,
      });
      shown.message = await status.innerText();
      shown.role = await status.getAttribute('role');
    }
  } finally {
    await context.close();
  }
  return shown;
}

let results;
try {
  results = await Promise.all(jobs.map(open));  // side by side, each in its own context
} finally {
  await browser.close();
}
console.log(JSON.stringify(results));
