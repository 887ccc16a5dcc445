"""Shared pieces of the annotation app's browser tests (annotation_flow.py,
annotation_security.py): headless Chromium through Selenium, one printed line per check,
and a clear stop on the first failure (expected, seen, current URL, a screenshot and the
page's HTML saved next to the other screenshots).

Needs Debian's `chromium` and `chromium-driver` and PyPI `selenium` (scripts/bootstrap.sh
installs them). Nothing is downloaded at run time: the driver and the browser are the
local ones, never Selenium Manager's.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import traceback
import urllib.parse

# Selenium Manager must never try the network for a driver or a browser.
os.environ.setdefault("SE_OFFLINE", "true")

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import (  # noqa: E402
    NoSuchElementException, StaleElementReferenceException, WebDriverException)
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402,F401 (re-exported)
from selenium.webdriver.support.ui import Select  # noqa: E402

SESSION_COOKIE = "synpref_session"


class CheckFailed(Exception):
    """Raised by `Harness.fail`; `main` turns it into the exit status."""


def common_arguments(description):
    """The arguments both scripts take."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--base-url", required=True, help="the app's server, e.g. http://127.0.0.1:8080")
    p.add_argument("--synpref", required=True, help="path to the synpref binary (for `synpref data export`)")
    p.add_argument("--store", required=True, help="the store URL the server uses (sqlite:PATH or postgres://...)")
    p.add_argument("--screenshots", required=True, help="folder for the screenshots (created if missing)")
    p.add_argument("--admin", required=True, help="an existing admin account's name")
    p.add_argument("--admin-password", required=True, help="that admin's password")
    p.add_argument("--password", default="correct-horse-battery-7",
                   help="password given to the accounts the script creates")
    p.add_argument("--timeout", type=float, default=15.0, help="seconds to wait for a page or an element")
    p.add_argument("--chromium", default=os.environ.get("SYNPREF_CHROMIUM") or _which("chromium", "chromium-browser", "google-chrome"),
                   help="the Chromium binary (default: chromium on PATH)")
    p.add_argument("--chromedriver", default=os.environ.get("SYNPREF_CHROMEDRIVER") or _which("chromedriver"),
                   help="the ChromeDriver binary (default: chromedriver on PATH)")
    p.add_argument("--window", default="1280,900", help="browser window size W,H")
    return p


def _which(*names):
    for n in names:
        path = shutil.which(n)
        if path:
            return path
    return None


class Harness:
    def __init__(self, args, name):
        self.args = args
        self.name = name
        self.base = args.base_url.rstrip("/")
        self.timeout = args.timeout
        self.passed = 0
        self.shots = os.path.abspath(args.screenshots)
        os.makedirs(self.shots, exist_ok=True)
        self.driver = None

    # ----- browser -----

    def start(self):
        if not self.args.chromium or not self.args.chromedriver:
            print(f"{self.name}: cannot run: chromium ({self.args.chromium}) or chromedriver ({self.args.chromedriver}) "
                  "not found; run scripts/bootstrap.sh", flush=True)
            sys.exit(2)
        o = webdriver.ChromeOptions()
        for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                  f"--window-size={self.args.window}", "--no-first-run", "--no-default-browser-check",
                  "--disable-extensions", "--disable-background-networking", "--disable-sync",
                  "--disable-component-update", "--disable-features=Translate,MediaRouter,OptimizationHints",
                  "--lang=en-US"):
            o.add_argument(a)
        o.binary_location = self.args.chromium
        # The performance log carries each document's HTTP status (Selenium shows none).
        o.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
        self.driver = webdriver.Chrome(options=o, service=Service(self.args.chromedriver))
        self.driver.set_page_load_timeout(max(30, self.timeout * 2))

    def stop(self):
        if self.driver is not None:
            try:
                self.driver.quit()
            except Exception:
                pass
            self.driver = None

    def run(self, body):
        """Runs `body(self)`; prints the closing count line; returns the exit status."""
        try:
            self.start()
            body(self)
            print(f"{self.name}: {self.passed} passed, 0 failed", flush=True)
            return 0
        except CheckFailed:
            print(f"{self.name}: {self.passed} passed, 1 failed", flush=True)
            return 1
        except Exception as e:  # an unexpected error is a failure too, with the same evidence
            try:
                message = (getattr(e, "msg", None) or str(e)).strip()
                where = "".join(traceback.format_tb(e.__traceback__)[-4:])
                self.fail("no unexpected error", "the script to run through", f"{type(e).__name__}: {message}\n{where}")
            except CheckFailed:
                pass
            print(f"{self.name}: {self.passed} passed, 1 failed", flush=True)
            return 1
        finally:
            self.stop()

    # ----- reporting -----

    def ok(self, what):
        self.passed += 1
        print(f"ok {self.passed} - {what}", flush=True)

    def fail(self, what, expected, seen):
        url = "?"
        shot = html = "(none)"
        if self.driver is not None:
            try:
                url = self.driver.current_url
            except Exception:
                pass
            slug = re.sub(r"[^A-Za-z0-9]+", "-", what).strip("-")[:60] or "failure"
            base = os.path.join(self.shots, f"FAILED-{self.passed + 1:02d}-{slug}")
            try:
                self.driver.save_screenshot(base + ".png")
                shot = base + ".png"
            except Exception as e:
                shot = f"(screenshot failed: {e})"
            try:
                with open(base + ".html", "w", encoding="utf-8") as f:
                    f.write(self.driver.page_source)
                html = base + ".html"
            except Exception:
                pass
        print(f"FAILED {self.passed + 1} - {what}\n"
              f"  expected: {expected}\n"
              f"  seen:     {_short(seen)}\n"
              f"  url:      {url}\n"
              f"  screenshot: {shot}\n"
              f"  page html:  {html}", flush=True)
        raise CheckFailed(what)

    def check(self, what, condition, expected, seen):
        if condition:
            self.ok(what)
        else:
            self.fail(what, expected, seen)

    def screenshot(self, name):
        path = os.path.join(self.shots, f"{name}.png")
        self.driver.save_screenshot(path)
        print(f"   screenshot {path}", flush=True)

    # ----- pages and elements -----

    def url(self, path):
        return self.base + path

    def path(self):
        """The current URL's path and query, e.g. /app/annotate?project=flow."""
        u = urllib.parse.urlsplit(self.driver.current_url)
        return u.path + (("?" + u.query) if u.query else "")

    def get(self, path):
        self.drain_log()
        self.driver.get(self.url(path))
        self.wait_ready()

    def wait_ready(self):
        self.wait_until("the page to finish loading", lambda: self.js("return document.readyState") == "complete")

    def wait_until(self, what, fn, timeout=None):
        """Polls `fn` until it returns something truthy (returned); fails after the timeout."""
        deadline = time.time() + (timeout or self.timeout)
        last = None
        while True:
            try:
                value = fn()
                if value:
                    return value
                last = value
            except (StaleElementReferenceException, NoSuchElementException) as e:
                last = f"{type(e).__name__}"
            except WebDriverException as e:
                last = f"{type(e).__name__}: {e.msg}"
            if time.time() > deadline:
                self.fail(f"waiting for {what}", what, f"not within {timeout or self.timeout:.0f} s (last: {last!r})")
            time.sleep(0.1)

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def find(self, css):
        """The first element matching `css`, or None."""
        found = self.driver.find_elements(By.CSS_SELECTOR, css)
        return found[0] if found else None

    def need(self, css, what=None):
        """The element matching `css` (waiting for it); fails if it never appears."""
        return self.wait_until(what or f"element {css}", lambda: self.find(css))

    def visible(self, css):
        """Whether an element matching `css` exists and is displayed."""
        el = self.find(css)
        try:
            return el is not None and el.is_displayed()
        except StaleElementReferenceException:
            return False

    def text(self, css):
        el = self.find(css)
        return el.text if el is not None else None

    def fill(self, css, value):
        el = self.need(css)
        el.clear()
        el.send_keys(value)

    def select(self, css, value):
        """Selects the option whose value (or else visible text) is `value`."""
        s = Select(self.need(css))
        # An option's value property is its text when it has no value attribute.
        values = [o.get_property("value") for o in s.options]
        texts = [o.text.strip() for o in s.options]
        for i, (v, t) in enumerate(zip(values, texts)):
            if v == value:
                s.select_by_index(i)
                return
        for i, t in enumerate(texts):
            if t.lower() == value.lower():
                s.select_by_index(i)
                return
        self.fail(f"{css} offers the option {value!r}", f"an option {value!r}", f"values {values}, texts {texts}")

    def click(self, css):
        self.need(css).click()

    def press(self, keys):
        """Types `keys` as a person would: into whatever has the focus (the page body unless
        the page moved the focus)."""
        ActionChains(self.driver).send_keys(keys).perform()

    def focused(self):
        return self.js("var e = document.activeElement; return e ? (e.tagName + (e.id ? '#' + e.id : '')) : 'none'")

    # ----- HTTP status of documents (from Chromium's performance log) -----

    def drain_log(self):
        try:
            self.driver.get_log("performance")
        except Exception:
            pass

    def document_responses(self):
        """(url, status) of every document response since the last drain, oldest first."""
        out = []
        for entry in self.driver.get_log("performance"):
            try:
                m = json.loads(entry["message"])["message"]
            except (KeyError, ValueError):
                continue
            if m.get("method") == "Network.responseReceived" and m["params"].get("type") == "Document":
                r = m["params"]["response"]
                out.append((r.get("url"), r.get("status")))
        return out

    def last_status(self, what):
        """The HTTP status of the last document loaded since the last drain (waits a moment
        for the log to catch up)."""
        seen = []
        deadline = time.time() + 3
        while time.time() < deadline:
            seen += self.document_responses()
            if seen:
                return seen[-1][1]
            time.sleep(0.1)
        self.fail(f"HTTP status of {what}", "a document response in the browser's log", "none")

    # ----- forms, cookies -----

    def check_page_basics(self, page, logged_in=True):
        """Every POST form carries a hidden, non-empty `csrf`; logged-in pages have the
        header's logout form."""
        forms = self.js("""
            return Array.from(document.querySelectorAll('form')).filter(function (f) {
                return (f.getAttribute('method') || 'get').toLowerCase() === 'post';
            }).map(function (f) {
                var c = f.querySelector('input[name=csrf]');
                return {id: f.id || f.getAttribute('action') || '(form)',
                        ok: !!c && c.type === 'hidden' && c.value.length > 0};
            });""")
        bad = [f["id"] for f in forms if not f["ok"]]
        self.check(f"{page}: every POST form has a hidden, non-empty csrf input", not bad and forms,
                   "at least one POST form, each with <input type=hidden name=csrf value=...>",
                   f"POST forms {[f['id'] for f in forms]}, without csrf: {bad}")
        if logged_in:
            ok = self.find("form#logout-form button#logout") is not None
            self.check(f"{page}: header has form#logout-form with button#logout", ok,
                       "form#logout-form containing button#logout", "missing")

    def session_cookie(self):
        for c in self.driver.get_cookies():
            if c.get("name") == SESSION_COOKIE:
                return c
        return None

    def requests_session(self):
        """A `requests` session carrying the browser's cookies (the same login)."""
        import requests
        s = requests.Session()
        host = urllib.parse.urlsplit(self.base).hostname
        for c in self.driver.get_cookies():
            s.cookies.set(c["name"], c["value"], domain=c.get("domain") or host, path=c.get("path") or "/")
        s.headers["User-Agent"] = self.js("return navigator.userAgent")
        return s

    # ----- the app's common steps -----

    def login(self, name, password, expect_path):
        """Logs in through the login page; checks the redirect by role."""
        self.get("/app/login")
        self.need("form#login-form")
        self.fill("input#name", name)
        self.fill("input#password", password)
        self.drain_log()
        self.click("button#login-submit")
        self.wait_until(f"the redirect to {expect_path} after {name}'s login",
                        lambda: urllib.parse.urlsplit(self.driver.current_url).path == expect_path)
        self.wait_ready()
        self.ok(f"{name} logs in and lands on {expect_path}")

    def logout(self, who):
        self.drain_log()
        self.click("form#logout-form button#logout")
        self.wait_until(f"{who}'s logout to end on /app/login",
                        lambda: urllib.parse.urlsplit(self.driver.current_url).path == "/app/login")
        self.wait_ready()
        self.ok(f"{who} logs out (back on /app/login)")
        self.check(f"{who}'s session cookie is gone or no longer valid after logout",
                   self._logged_out(), "GET /app/admin, /app/annotate and /app/review no longer serve a page",
                   "one of them still did")

    def _logged_out(self):
        # Logged out: a protected page sends the browser back to the login page (or refuses).
        for p in ("/app/annotate", "/app/review", "/app/admin"):
            self.get(p)
            path = urllib.parse.urlsplit(self.driver.current_url).path
            status = self.last_status(p)
            if path != "/app/login" and status not in (401, 403):
                return False
        return True

    def create_user(self, name, password, role):
        self.need("form#new-user-form")
        self.fill("input#new-user-name", name)
        self.fill("input#new-user-password", password)
        self.select("select#new-user-role", role)
        self.click("button#new-user-submit")
        pattern = re.compile(r"(^|[^A-Za-z0-9_.-])" + re.escape(name) + r"($|[^A-Za-z0-9_.-])")
        self.wait_until(f"a .notice naming {name}",
                        lambda: any(pattern.search(e.text) for e in self.driver.find_elements(By.CSS_SELECTOR, ".notice")))
        self.ok(f"admin creates {role} {name} (.notice names them)")

    def create_project(self, name, guideline, overlap, priority):
        self.get("/app/admin")
        self.need("form#new-project-form")
        self.fill("input#project-name", name)
        self.fill("textarea#project-guideline", guideline)
        self.fill("input#project-overlap", str(overlap))
        self.select("select#project-priority", priority)
        self.click("button#project-submit")
        want = f"/app/admin/projects/{urllib.parse.quote(name)}"
        self.wait_until(f"the redirect to {want}", lambda: urllib.parse.urlsplit(self.driver.current_url).path == want)
        self.wait_ready()
        self.ok(f"admin creates project {name!r} (overlap {overlap}, priority {priority}) and lands on {want}")

    def load_pairs(self, tier, limit, expect=None):
        """Loads pairs on the project page; returns N of "Loaded N pair(s)"."""
        self.need("form#load-form")
        self.select("select#load-tier", tier)
        self.fill("input#load-limit", str(limit))
        self.click("button#load-submit")
        text = self.wait_until("#load-result saying Loaded N pair(s)",
                               lambda: (self.text("#load-result") or "") if re.search(r"Loaded \d+ pair\(s\)", self.text("#load-result") or "") else None)
        n = int(re.search(r"Loaded (\d+) pair\(s\)", text).group(1))
        if expect is not None:
            self.check(f"load-form loads {expect} {tier} pair(s)", n == expect, f"Loaded {expect} pair(s)", text)
        return n

    # ----- the annotate and review pages -----

    def page_state(self, form_css):
        """'empty', the pair form's data-task-id, or None while neither is shown."""
        return self.js("""
            function shown(e) { return !!e && e.getClientRects().length > 0; }
            if (shown(document.querySelector('#queue-empty'))) return 'empty';
            var f = document.querySelector(arguments[0]);
            if (shown(f) && f.getAttribute('data-task-id')) return 'task:' + f.getAttribute('data-task-id');
            return null;""", form_css)

    def wait_state(self, form_css, previous=None):
        """Waits for the page to show a pair other than `previous` or #queue-empty.
        Returns the new task id, or None for an empty queue."""
        def changed():
            if self.js("return document.readyState") != "complete":
                return None
            s = self.page_state(form_css)
            if s is None or s == (f"task:{previous}" if previous is not None else None):
                return None
            return s
        s = self.wait_until(f"{form_css} with a new data-task-id (after task {previous}) or #queue-empty", changed)
        return None if s == "empty" else s[len("task:"):]

    def pair_view(self):
        """What the page shows of the pair: the responses' texts and the turns' roles."""
        return self.js("""
            // The response's own text: its .response-body when the section has one (not its heading).
            function t(css) { var e = document.querySelector(css + ' .response-body') || document.querySelector(css); return e ? e.innerText : null; }
            var turns = Array.from(document.querySelectorAll('#conversation .turn')).map(function (e) {
                return ['turn-user', 'turn-assistant', 'turn-system', 'turn-tool'].filter(function (c) {
                    return e.classList.contains(c); });
            });
            return {a: t('#response-a'), b: t('#response-b'), turns: turns,
                    attributes: !!document.querySelector('#attributes'),
                    guideline: !!document.querySelector('#instance-guideline'),
                    guidelineLink: !!document.querySelector('a#project-guideline-link')};""")

    def number(self, css):
        """The first integer in an element's text, or None."""
        t = self.text(css)
        m = re.search(r"\d+", t or "")
        return int(m.group(0)) if m else None

    def checked(self, css):
        return bool(self.js("var e = document.querySelector(arguments[0]); return !!e && e.checked;", css))


def run_cli(harness, argv, what):
    """Runs the synpref binary; fails the check on a non-zero exit."""
    p = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        harness.fail(what, "exit status 0", f"exit {p.returncode}: {' '.join(argv)}\n{p.stdout}\n{p.stderr}")
    return p.stdout


def _short(x, n=4000):
    s = str(x)
    return s if len(s) <= n else s[:n] + f"... ({len(s)} characters)"


def same_text(shown, stored):
    """Whether a response as the page shows it is the stored text: equal after collapsing
    whitespace; or, for pages that render Markdown or drop markup, equal in letters and
    digits alone, with the stored text's Markdown link targets and HTML tags left out."""
    if shown is None or stored is None:
        return False
    norm = lambda s: " ".join(s.split())  # noqa: E731
    if norm(shown) == norm(stored):
        return True
    alnum = lambda s: re.sub(r"[^0-9A-Za-z]+", "", s)  # noqa: E731
    if alnum(shown) == "":
        return False
    unlinked = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", stored)
    return alnum(shown) in (alnum(stored), alnum(unlinked), alnum(re.sub(r"<[^>]*>", "", unlinked)))
