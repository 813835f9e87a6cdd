// Lighthouse (npm `lighthouse`, installed by scripts/setup.sh --test) on the dashboard's page
// states, as user flows: each state is a navigation to its URL (Lighthouse's navigation report:
// every category asked for, performance included) and, when it has steps (a click on the map,
// a comparison), a snapshot once they are done (the categories a snapshot can judge:
// accessibility, best practices, SEO; performance has no score there). One run reports all the
// categories asked for, for every step.
//
//   node scripts/lighthouse_flow.mjs --base http://127.0.0.1:8050 --states states.json \
//        [--categories accessibility,performance] [--reports DIR]
//
// states.json: {"idle": JS, "states": [{name, query, lang, steps: [{act, ready}]}]} as
// scripts/page_states.py writes it. Prints one JSON document on stdout: for every state and
// step {state, mode, url, categories: {id: score}, failing: {category: [audit ids]}}.
// Chromium: $CHROME_PATH (default /usr/bin/chromium), headless, desktop preset.

import fs from 'node:fs';
import path from 'node:path';
import {parseArgs} from 'node:util';

import {startFlow, desktopConfig} from 'lighthouse';
import puppeteer from 'puppeteer-core';

const {values: args} = parseArgs({
  options: {
    base: {type: 'string'},
    states: {type: 'string'},
    categories: {type: 'string', default: 'accessibility'},
    reports: {type: 'string'},
    timeout: {type: 'string', default: '90'},
  },
});
if (!args.base || !args.states) {
  console.error('usage: lighthouse_flow.mjs --base URL --states FILE [--categories a,b] [--reports DIR]');
  process.exit(2);
}
const {idle, states} = JSON.parse(fs.readFileSync(args.states, 'utf8'));
const categories = args.categories.split(',').map((c) => c.trim()).filter(Boolean);
const timeout = Number(args.timeout) * 1000;
const config = {
  ...desktopConfig,
  settings: {...desktopConfig.settings, onlyCategories: categories},
};
const SKIPPED = new Set(['notApplicable', 'manual', 'informative']);

function summary(state, step) {
  const lhr = step.lhr;
  const scores = {};
  const failing = {};
  for (const [id, category] of Object.entries(lhr.categories)) {
    scores[id] = category.score;
    failing[id] = category.auditRefs
      .map((ref) => lhr.audits[ref.id])
      .filter((a) => a && !SKIPPED.has(a.scoreDisplayMode) && a.score !== null && a.score < 1)
      .map((a) => a.id);
  }
  return {state: state.name, mode: lhr.gatherMode, url: lhr.finalDisplayedUrl, categories: scores, failing};
}

const browser = await puppeteer.launch({
  executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--lang=ja', '--window-size=1600,1200'],
  defaultViewport: null,
});
const results = [];
try {
  for (const state of states) {
    const page = await browser.newPage();
    page.setDefaultTimeout(timeout);
    const flow = await startFlow(page, {name: state.name, config});
    // the navigation ends once Dash has settled and the map is drawn
    await flow.navigate(async () => {
      await page.goto(args.base.replace(/\/$/, '') + '/' + state.query);
      await page.waitForFunction(idle, {timeout});
    }, {name: `${state.name} (navigation)`});
    if (state.steps.length) {
      for (const step of state.steps) {
        await page.evaluate(step.act);
        await page.waitForFunction(step.ready, {timeout});
        await new Promise((resolve) => setTimeout(resolve, 300));
        await page.waitForFunction(idle, {timeout});
      }
      await flow.snapshot({name: state.name});
    }
    for (const step of (await flow.createFlowResult()).steps) {
      results.push(summary(state, step));
    }
    if (args.reports) {
      fs.mkdirSync(args.reports, {recursive: true});
      fs.writeFileSync(path.join(args.reports, `${state.name}.html`), await flow.generateReport());
    }
    await page.close();
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(results, null, 1) + '\n');
