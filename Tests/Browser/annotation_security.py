#!/usr/bin/env python3
"""The annotation app's security checks in headless Chromium.

  - A pair whose texts hold `<script>window.__xss=1</script>`,
    `<img src=x onerror="window.__xss=2">`, `[click](javascript:window.__xss=3)` and a
    5,000-character unbroken word (Tests/Browser/security_pairs.jsonl, imported by the
    caller; found in the annotator's queue by --marker, skipping other pairs) renders
    inert: window.__xss stays undefined after the page loads and after every link in the
    pair is clicked; the pair's parts hold no <script>, no on* attribute and no
    javascript: link; the page stays usable (#submit-verdict displayed inside the window,
    no horizontal overflow of the page beyond window.innerWidth + 1).
  - POSTs without the session's csrf (or with a wrong one) are refused with 403 and change
    nothing (Python requests with the browser's session cookie): the admin's new-user
    form, the annotator's verdict form and the logout form.
  - An annotator's session gets 403 on /app/admin, /app/review and the admin's project
    pages.
  - The session cookie `synpref_session` is HttpOnly and SameSite=Strict.
  - 10 wrong passwords for one account: each HTTP 401; the 11th attempt, with the right
    password, HTTP 429. (Last: a limiter keyed by address would lock everything out.)

Run (server running on a store holding the security pair, and an admin account):

  python3 Tests/Browser/annotation_security.py --base-url http://127.0.0.1:PORT \
      --synpref .build/debug/synpref --store sqlite:/tmp/x.db --screenshots /tmp/shots \
      --admin admin --admin-password PW --project security

Prints one line per check and `annotation_security: N passed, M failed` last; exits 1 on
the first failure (with what was expected, what was seen, the URL, a screenshot and the
HTML).
"""
import os
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import By, Harness, Keys, SESSION_COOKIE, common_arguments  # noqa: E402

FORM = "form#verdict-form"
# The pair's parts as the annotate page shows them.
PARTS = ["#conversation", "#response-a", "#response-b", "#attributes", "#instance-guideline"]


def main():
    p = common_arguments(__doc__.split("\n")[0])
    p.add_argument("--project", default="security", help="the annotation project the script creates and loads")
    p.add_argument("--marker", default="synpref-security-fixture",
                   help="text in the security pair's conversation that tells it from other pairs")
    p.add_argument("--load-limit", type=int, default=50, help="how many unverified pairs the project loads")
    p.add_argument("--annotator", default="secann", help="annotator account the script creates")
    p.add_argument("--lockout-user", default="seclock", help="account the script creates and locks out")
    args = p.parse_args()
    return Harness(args, "annotation_security").run(lambda h: Security(h).run())


class Security:
    def __init__(self, h):
        self.h = h
        self.args = h.args
        self.annotate_path = f"/app/annotate?project={urllib.parse.quote(self.args.project)}"

    def run(self):
        self.admin()
        self.annotator()
        self.lockout()

    # ----- helpers -----

    def xss_undefined(self, when):
        h = self.h
        v = h.js("return typeof window.__xss === 'undefined' ? null : String(window.__xss);")
        h.check(f"window.__xss undefined {when}", v is None, "undefined", f"window.__xss = {v}")

    def check_cookie(self, who):
        h = self.h
        c = h.session_cookie()
        h.check(f"{who}: session cookie {SESSION_COOKIE} set", c is not None, SESSION_COOKIE,
                [x["name"] for x in h.driver.get_cookies()])
        h.check(f"{who}: {SESSION_COOKIE} is HttpOnly", c.get("httpOnly") is True, "httpOnly true", c)
        h.check(f"{who}: {SESSION_COOKIE} is SameSite=Strict", c.get("sameSite") == "Strict", "sameSite Strict", c)
        v = h.js("return document.cookie;")
        h.check(f"{who}: {SESSION_COOKIE} hidden from page scripts", SESSION_COOKIE not in v,
                "document.cookie without it", v)

    def form_fields(self, css):
        """A form's action (absolute) and its named fields, as the browser would send them
        (unchecked radios left out)."""
        return self.h.js("""
            var f = document.querySelector(arguments[0]);
            var out = {};
            Array.from(f.elements).forEach(function (e) {
                if (!e.name || e.disabled) return;
                if ((e.type === 'radio' || e.type === 'checkbox') && !e.checked) return;
                out[e.name] = e.value;
            });
            return {action: f.action, fields: out};""", css)

    def post_refused(self, what, css, extra, csrf_value):
        """POSTs the form `css` with `extra` fields and csrf left out (None) or set to
        `csrf_value`, with the browser's session cookie; expects HTTP 403."""
        h = self.h
        form = self.form_fields(css)
        data = dict(form["fields"])
        data.pop("csrf", None)
        data.update(extra)
        if csrf_value is not None:
            data["csrf"] = csrf_value
        s = h.requests_session()
        r = s.post(form["action"], data=data, allow_redirects=False, timeout=30,
                   headers={"Origin": h.base, "Referer": h.driver.current_url})
        how = "without csrf" if csrf_value is None else "with a wrong csrf"
        h.check(f"{what}: POST {how} refused with 403", r.status_code == 403,
                f"HTTP 403 from POST {form['action']}", f"HTTP {r.status_code}: {r.text[:300]}")

    # ----- admin -----

    def admin(self):
        h, a = self.h, self.args
        h.login(a.admin, a.admin_password, "/app/admin")
        self.check_cookie("admin")
        # A new-user POST without the csrf is refused and creates nobody: creating the same
        # name through the form afterwards works.
        probe = "csrfprobe"
        for csrf in (None, "0" * 32):
            self.post_refused("admin's new-user form", "form#new-user-form",
                              {"name": probe, "password": a.password, "role": "admin"}, csrf)
        h.get("/app/admin")
        h.create_user(probe, a.password, "annotator")
        h.ok(f"the refused POSTs created no user {probe} (the form could create it afterwards)")
        h.create_user(a.annotator, a.password, "annotator")
        h.create_user(a.lockout_user, a.password, "annotator")
        h.create_project(a.project, "Guideline <script>window.__xss=5</script> <img src=x onerror=\"window.__xss=6\"> "
                         "[click](javascript:window.__xss=7)", 1, "paper")
        self.xss_undefined("on the project page (guideline with markup)")
        n = h.load_pairs("unverified", a.load_limit)
        h.check("load-form loads the security pair (at least one)", n >= 1, "Loaded N pair(s), N >= 1", n)
        self.project_pages = [urllib.parse.urlsplit(h.driver.current_url).path,
                              urllib.parse.urlsplit(h.need("a#dashboard-link").get_property("href")).path]
        self.loaded = n
        h.logout("admin")

    # ----- annotator -----

    def annotator(self):
        h, a = self.h, self.args
        h.login(a.annotator, a.password, "/app/annotate")
        self.check_cookie(a.annotator)
        for path in ["/app/admin", "/app/review", f"/app/review?project={urllib.parse.quote(a.project)}"] + self.project_pages:
            h.get(path)
            status = h.last_status(path)
            h.check(f"annotator gets 403 on {path}", status == 403, "HTTP 403", f"HTTP {status} at {h.path()}")

        task = self.find_pair()
        h.screenshot("08-security-pair")
        self.check_inert("after the page loads")
        self.check_layout()
        self.check_tablet_layout()
        self.click_links(task)
        self.guideline_page(task)

        # The verdict form: refused without (or with a wrong) csrf, and nothing recorded.
        for csrf in (None, "0" * 32):
            self.post_refused("annotator's verdict form", FORM, {"verdict": "a"}, csrf)
        self.post_refused("logout form", "form#logout-form", {}, None)
        h.get(self.annotate_path)
        now = h.wait_state(FORM)
        h.check("after the refused POSTs the annotator is still logged in and still holds the pair (nothing recorded)",
                now == task, f"task {task} on {self.annotate_path}", f"task {now} at {h.path()}")

        # The page works: keyboard answer, the next pair (or the empty queue) loads.
        h.press("1")
        h.check("key 1 selects #verdict-a on the security pair", h.checked("#verdict-a"), "#verdict-a checked",
                f"not checked (focus on {h.focused()})")
        h.press(Keys.ENTER)
        nxt = h.wait_state(FORM, previous=task)
        h.ok(f"Enter submits the verdict (next: {'#queue-empty' if nxt is None else 'task ' + nxt})")
        self.xss_undefined("after the verdict")
        h.logout(a.annotator)

    def find_pair(self):
        """Skips ("s") through the queue to the pair whose conversation holds --marker, then
        reloads the page: the annotator still holds it. Returns its task id."""
        h, a = self.h, self.args
        h.get(self.annotate_path)
        task = h.wait_state(FORM)
        for _ in range(self.loaded + 1):
            if task is None:
                break
            self.xss_undefined(f"on task {task}")
            if a.marker in (h.text("#conversation") or ""):
                break
            h.press("s")
            task = h.wait_state(FORM, previous=task)
        h.check(f"the security pair (conversation holding {a.marker!r}) is in the queue",
                task is not None and a.marker in (h.text("#conversation") or ""), "a pair with the marker",
                "#queue-empty" if task is None else f"task {task} without it")
        self.xss_undefined("once the security pair is shown")
        h.get(self.annotate_path)
        again = h.wait_state(FORM)
        h.check("reloading the page shows the pair the annotator holds", again == task, f"task {task}", f"task {again}")
        return task

    def check_inert(self, when):
        """No executed script, and nothing that could execute later in the pair's parts."""
        h = self.h
        self.xss_undefined(when)
        found = h.js("""
            var bad = [];
            arguments[0].forEach(function (css) {
                document.querySelectorAll(css).forEach(function (root) {
                    root.querySelectorAll('*').forEach(function (e) {
                        var tag = e.tagName.toLowerCase();
                        if (['script', 'iframe', 'object', 'embed', 'base', 'meta', 'link', 'style', 'form'].indexOf(tag) >= 0)
                            bad.push(css + ' <' + tag + '>');
                        Array.from(e.attributes).forEach(function (at) {
                            if (at.name.toLowerCase().indexOf('on') === 0) bad.push(css + ' <' + tag + ' ' + at.name + '>');
                        });
                    });
                });
            });
            document.querySelectorAll('a[href], [src], [action], [formaction]').forEach(function (e) {
                ['href', 'src', 'action', 'formaction'].forEach(function (n) {
                    var v = (e.getAttribute(n) || '').replace(/[\\s\\u0000-\\u001f]/g, '').toLowerCase();
                    if (v.indexOf('javascript:') === 0 || v.indexOf('data:text/html') === 0 || v.indexOf('vbscript:') === 0)
                        bad.push('<' + e.tagName.toLowerCase() + ' ' + n + '=' + v.slice(0, 60) + '>');
                });
            });
            return bad;""", PARTS)
        h.check(f"the pair's parts hold no script, no on* attribute, no javascript: URL ({when})", not found,
                "none", found)
        missing = [css for css in PARTS if h.find(css) is None]
        h.check("the pair view's parts are all present", not missing, PARTS, f"missing {missing}")

    def check_layout(self):
        h = self.h
        m = h.js("""
            var b = document.querySelector('#submit-verdict');
            var r = b ? b.getBoundingClientRect() : null;
            return {inner: window.innerWidth, body: document.body.scrollWidth,
                    doc: document.documentElement.scrollWidth,
                    button: r ? {left: r.left + window.scrollX, right: r.right + window.scrollX, width: r.width, height: r.height} : null};""")
        h.check("#submit-verdict displayed", h.visible("#submit-verdict"), "displayed", m["button"])
        btn = m["button"]
        h.check("#submit-verdict inside the window's width", btn["left"] >= 0 and btn["right"] <= m["inner"] + 1,
                f"0 <= left, right <= {m['inner']} + 1", btn)
        h.check("no horizontal overflow (5,000-character word): body and page scrollWidth <= innerWidth + 1",
                m["body"] <= m["inner"] + 1 and m["doc"] <= m["inner"] + 1,
                f"<= {m['inner'] + 1}", f"body {m['body']}, page {m['doc']}")

    def check_tablet_layout(self):
        """The same page on a tablet held upright (820 x 1180): one column, nothing wider
        than the screen, the submit button reachable."""
        h = self.h
        size = h.driver.get_window_size()
        h.driver.set_window_size(820, 1180)
        try:
            m = h.js("""
                var b = document.querySelector('#submit-verdict');
                var r = b ? b.getBoundingClientRect() : null;
                return {inner: window.innerWidth, body: document.body.scrollWidth, doc: document.documentElement.scrollWidth,
                        right: r ? r.right + window.scrollX : null};""")
            h.check("tablet (820 px): no horizontal overflow", m["body"] <= m["inner"] + 1 and m["doc"] <= m["inner"] + 1,
                    f"<= {m['inner'] + 1}", f"body {m['body']}, page {m['doc']}")
            h.check("tablet (820 px): #submit-verdict inside the screen's width", m["right"] is not None and m["right"] <= m["inner"] + 1,
                    f"right <= {m['inner']} + 1", m["right"])
            h.screenshot("08b-security-pair-tablet")
        finally:
            h.driver.set_window_size(size["width"], size["height"])

    def click_links(self, task):
        """Clicks every link in the pair's parts (as a person would); after each, no script
        ran. Links off this machine are not followed."""
        h = self.h
        host = urllib.parse.urlsplit(h.base).hostname
        count = len(self.links())
        if count == 0:
            h.ok("the pair shows no links (Markdown links rendered as text)")
        for i in range(count):
            links = self.links()
            if i >= len(links):
                break
            el = links[i]
            href = el.get_attribute("href") or ""
            target = urllib.parse.urlsplit(href)
            if target.scheme in ("http", "https") and target.hostname not in (host, "127.0.0.1", "localhost", "::1"):
                h.ok(f"link {i + 1} of {count} leaves this machine ({href[:80]}): not followed")
                continue
            start = h.driver.current_window_handle
            h.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", el)
            try:
                el.click()
            except Exception:
                h.js("arguments[0].click();", el)
            for w in h.driver.window_handles:
                if w != start:
                    h.driver.switch_to.window(w)
                    self.xss_undefined(f"in the window link {i + 1} opened")
                    h.driver.close()
            h.driver.switch_to.window(start)
            self.xss_undefined(f"after clicking link {i + 1} of {count} ({href[:60] or 'no href'})")
            time.sleep(0.3)  # a navigation the click started
            h.wait_ready()
            if h.page_state(FORM) != f"task:{task}":
                h.get(self.annotate_path)  # the link navigated away: back to the held pair
                h.wait_state(FORM)
        self.check_inert("after clicking the links")

    def guideline_page(self, task):
        """The project's guideline (written with markup by the admin) renders inert too."""
        h = self.h
        href = h.need("a#project-guideline-link").get_property("href")
        target = urllib.parse.urlsplit(href)
        h.check("a#project-guideline-link stays on the app", target.hostname == urllib.parse.urlsplit(h.base).hostname,
                h.base, href)
        h.get(target.path + (("?" + target.query) if target.query else ""))
        status = h.last_status("the project guideline page")
        h.check("the project guideline page loads (HTTP 200)", status == 200, "HTTP 200", f"HTTP {status}")
        self.xss_undefined("on the project guideline page")
        h.get(self.annotate_path)
        h.check("back on the annotate page, the same pair", h.wait_state(FORM) == task, f"task {task}", h.page_state(FORM))

    def links(self):
        return [e for css in PARTS for e in self.h.driver.find_elements(By.CSS_SELECTOR, f"{css} a")]

    # ----- login rate limit -----

    def lockout(self):
        h, a = self.h, self.args
        for n in range(1, 12):
            h.get("/app/login")
            h.fill("input#name", a.lockout_user)
            h.fill("input#password", a.password if n == 11 else f"wrong-{n}")
            h.drain_log()
            h.click("button#login-submit")
            h.wait_ready()
            status = h.last_status(f"login attempt {n}")
            if n <= 10:
                h.check(f"wrong password {n} of 10 for {a.lockout_user}: HTTP 401", status == 401, "HTTP 401", f"HTTP {status}")
            else:
                h.check(f"11th attempt (right password) for {a.lockout_user}: HTTP 429", status == 429, "HTTP 429",
                        f"HTTP {status} at {h.path()}")
        h.check("the locked-out login did not log in", h.session_cookie() is None or h.path().startswith("/app/login"),
                "no session, still on /app/login", h.path())
        h.screenshot("09-locked-out")


if __name__ == "__main__":
    sys.exit(main())
