// One small driver interface over the three browser engines the officials' phones run
// (Chromium, Firefox, WebKit), so the smoke flows (flows.mjs) are written once. Playwright's
// own browser builds cannot be downloaded here, so each engine is Debian's, driven by a
// maintained client that speaks a protocol Debian's browser has built in:
//   chromium  /usr/bin/chromium, headless, puppeteer-core over the DevTools protocol
//   firefox   /usr/bin/firefox-esr, headless, puppeteer-core over WebDriver BiDi (no geckodriver)
//   webkit    WebKitGTK's MiniBrowser under WebKitWebDriver (Debian's webkit2gtk-driver),
//             selenium-webdriver over classic WebDriver; MiniBrowser has no headless mode, so
//             the driver runs under Xvfb (xvfb-run) unless a display is already there
//
// The interface (every method async, every selector CSS):
//   goto(url) reload() evaluate(fn, ...args) click(css) fill(css, text) select(css, value)
//   setInputFiles(css, path) screenshot(path) close()
// evaluate runs a self-contained function in the page (its source is sent, so it may use only
// its arguments, which must be JSON) and answers its result, promises awaited.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import puppeteer from 'puppeteer-core';
import { Builder, By } from 'selenium-webdriver';

export const CHROMIUM = '/usr/bin/chromium';
export const FIREFOX = '/usr/bin/firefox-esr';
export const WEBKIT_DRIVER = '/usr/bin/WebKitWebDriver';
/** Where Debian's libwebkit2gtk-4.1-0 puts WebKitGTK's browser for automation. */
export const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

// The flags every launch of Debian's Chromium in this project takes (the file says why).
const CHROMIUM_FLAGS = JSON.parse(readFileSync(new URL('../chromium-flags.json', import.meta.url), 'utf8'));
/** A phone's screen, as the Playwright tests' `phone` project. */
const PHONE = { width: 360, height: 640 };

/** The engines, by name: what each needs on the machine, and how it starts. */
export const ENGINES = {
  chromium: { needs: [CHROMIUM], launch: () => Puppeteer.launch('chromium') },
  firefox: { needs: [FIREFOX], launch: () => Puppeteer.launch('firefox') },
  webkit: { needs: [WEBKIT_DRIVER, MINIBROWSER], launch: (port) => Selenium.launch(port) },
};

/** Chromium and Firefox through puppeteer-core. */
class Puppeteer {
  static async launch(engine) {
    const browser =
      engine === 'chromium'
        ? await puppeteer.launch({
            browser: 'chrome',
            executablePath: CHROMIUM,
            headless: true,
            defaultViewport: { ...PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
            args: [
              ...CHROMIUM_FLAGS.args,
              '--lang=zh-CN',
              // navigator.languages, which the app takes its language from (headless Chromium
              // ignores --lang for it).
              '--accept-lang=zh-CN,zh',
            ],
          })
        : await puppeteer.launch({
            browser: 'firefox',
            executablePath: FIREFOX,
            headless: true,
            defaultViewport: PHONE,
            extraPrefsFirefox: { 'intl.accept_languages': 'zh-CN, zh' },
          });
    const page = (await browser.pages())[0] ?? (await browser.newPage());
    return new Puppeteer(engine, browser, page);
  }

  constructor(name, browser, page) {
    this.name = name;
    this.browser = browser;
    this.page = page;
  }

  async version() {
    return this.browser.version();
  }

  async goto(url) {
    await this.page.goto(url, { waitUntil: 'load' });
  }

  async reload() {
    await this.page.reload({ waitUntil: 'load' });
  }

  async evaluate(fn, ...args) {
    return this.page.evaluate(fn, ...args);
  }

  async element(css) {
    const el = await this.page.$(css);
    if (!el) throw new Error(`no element ${css}`);
    return el;
  }

  async click(css) {
    await (await this.element(css)).click();
  }

  async fill(css, text) {
    const el = await this.element(css);
    await el.click();
    if (await el.evaluate((e) => e.value !== '')) {
      await el.evaluate((e) => e.select());
      await el.press('Backspace');
    }
    await el.type(text);
  }

  async select(css, value) {
    await (await this.element(css)).select(value);
  }

  async setInputFiles(css, path) {
    await (await this.element(css)).uploadFile(path);
  }

  async screenshot(path) {
    await this.page.screenshot({ path });
  }

  async close() {
    await this.browser.close();
  }
}

/**
 * WebKitGTK through WebKitWebDriver and selenium-webdriver. The driver (and with it every
 * MiniBrowser it starts) runs in a process group of its own, under Xvfb when there is no
 * display, and is ended with that group.
 */
class Selenium {
  static async launch(port) {
    const cmd = process.env.DISPLAY
      ? [WEBKIT_DRIVER, `--port=${port}`]
      : ['xvfb-run', '--auto-servernum', '--server-args=-screen 0 1280x1024x24', WEBKIT_DRIVER, `--port=${port}`];
    const child = spawn(cmd[0], cmd.slice(1), {
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, LANGUAGE: 'zh_CN' },
    });
    let log = '';
    child.stderr.on('data', (d) => (log = (log + d).slice(-4000)));
    const stopDriver = () => {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    };
    // Not left behind if the suite itself stops half-way.
    process.once('exit', stopDriver);
    try {
      for (let i = 0; ; i++) {
        if (child.exitCode !== null) throw new Error(`WebKitWebDriver exited (${child.exitCode}): ${log}`);
        try {
          if ((await fetch(`http://127.0.0.1:${port}/status`)).ok) break;
        } catch {
          // not listening yet
        }
        if (i > 150) throw new Error(`WebKitWebDriver did not answer on port ${port}: ${log}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const driver = await new Builder()
        .usingServer(`http://127.0.0.1:${port}`)
        .withCapabilities({
          browserName: 'MiniBrowser',
          'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
        })
        .build();
      await driver.manage().window().setRect(PHONE);
      return new Selenium(driver, stopDriver);
    } catch (e) {
      stopDriver();
      throw e;
    }
  }

  constructor(driver, stopDriver) {
    this.name = 'webkit';
    this.driver = driver;
    this.stopDriver = stopDriver;
  }

  async version() {
    const caps = await this.driver.getCapabilities();
    return `${caps.get('browserName')} ${caps.get('browserVersion')}`;
  }

  async goto(url) {
    await this.driver.get(url);
  }

  async reload() {
    await this.driver.navigate().refresh();
  }

  async evaluate(fn, ...args) {
    // Execute Script awaits a promise the function returns (WebDriver, "execute a function body").
    return this.driver.executeScript(`return (${fn}).apply(null, arguments)`, ...args);
  }

  async click(css) {
    await this.driver.findElement(By.css(css)).click();
  }

  async fill(css, text) {
    const el = await this.driver.findElement(By.css(css));
    await el.clear();
    await el.sendKeys(text);
  }

  async select(css, value) {
    await this.driver.findElement(By.css(`${css} option[value="${value}"]`)).click();
  }

  async setInputFiles(css, path) {
    await this.driver.findElement(By.css(css)).sendKeys(path);
  }

  async screenshot(path) {
    writeFileSync(path, Buffer.from(await this.driver.takeScreenshot(), 'base64'));
  }

  async close() {
    try {
      await this.driver.quit();
    } finally {
      this.stopDriver();
    }
  }
}

/** The engines this run covers: RP_ENGINES (comma-separated) or all three. */
export function chosenEngines() {
  const names = (process.env.RP_ENGINES ?? Object.keys(ENGINES).join(',')).split(',').map((n) => n.trim());
  for (const n of names) if (!(n in ENGINES)) throw new Error(`RP_ENGINES: no engine ${n} (${Object.keys(ENGINES)})`);
  return names;
}

/** What is missing on this machine for `engine` (empty when it can run). */
export function missingFor(engine) {
  return ENGINES[engine].needs.filter((p) => !existsSync(p));
}
