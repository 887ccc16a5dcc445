#!/usr/bin/env python3
"""The annotation app's whole flow in headless Chromium, then the store's verdict.

  admin:     logs in (a wrong password first: .error, HTTP 401); creates annotators ann1 and
             ann2 and reviewer rev1; creates project "flow" (overlap 2, priority paper);
             loads 4 unverified pairs; logs out.
  ann1:      opens /app/annotate?project=flow; "?" shows and hides #help; answers every pair
             with "1" (response A) then Enter, until #queue-empty.
  ann2:      skips the first pair with "s" (it must never come back to ann2), then answers
             the other three: "2" for the first of them, "1" for the rest.
  rev1:      resolves whatever /app/review?project=flow offers with "1" then Enter.
  admin:     the project page's export links and the dashboard (#agreement-overall,
             table#throughput).
  store:     `synpref data export --tier gold` (TRL: the verified orientation) and
             `--format jsonl` (the label log), checked against what was answered.

Annotators and the reviewer use the keyboard only. The page never says which response is
the stored `chosen`, so every answer is recorded with the texts of #response-a and
#response-b; the expected gold orientation follows from those texts.

Expected decisions (overlap 2): a pair both annotators answered goes to gold at once when
they prefer the same response (that one is `chosen`), and to the reviewer when they do not
(the reviewer's choice is `chosen`). The pair ann2 skipped has one answer: it stays
unverified and is not offered to the reviewer.

Run (the server already running on a store holding the 4 pairs, e.g.
Tests/Browser/flow_pairs.jsonl imported, and an admin account):

  python3 Tests/Browser/annotation_flow.py --base-url http://127.0.0.1:PORT \
      --synpref .build/debug/synpref --store sqlite:/tmp/x.db --screenshots /tmp/shots \
      --admin admin --admin-password PW

Prints one line per check and `annotation_flow: N passed, M failed` last; exits 1 on the
first failure (with what was expected, what was seen, the URL, a screenshot and the HTML).
"""
import json
import os
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Harness, Keys, common_arguments, run_cli, same_text  # noqa: E402

PROJECT = "flow"
PAIRS = 4
FORM = "form#verdict-form"
REVIEW_FORM = "form#decision-form"
ROLE_CLASSES = {"user": "turn-user", "assistant": "turn-assistant", "system": "turn-system", "tool": "turn-tool"}


def main():
    p = common_arguments(__doc__.split("\n")[0])
    p.add_argument("--import", dest="import_file", default=None,
                   help="first import this pairs file into --store with `synpref data import` (optional)")
    args = p.parse_args()
    if args.import_file:
        # Done before the browser starts; the server reads the store as it is.
        import subprocess
        r = subprocess.run([args.synpref, "data", "import", args.import_file, "--store", args.store],
                           capture_output=True, text=True)
        if r.returncode != 0:
            print(f"annotation_flow: cannot import {args.import_file}: {r.stdout}{r.stderr}")
            return 1
    return Harness(args, "annotation_flow").run(lambda h: Flow(h).run())


class Flow:
    def __init__(self, h):
        self.h = h
        self.args = h.args
        # answers[task_id][annotator] = {"a": text, "b": text, "key": "1"/"2", "turns": [...]}
        self.answers = {}
        self.skipped = None          # the task id ann2 skipped
        self.reviews = []            # [{"a", "b", "key"}] as the reviewer saw and answered them

    def run(self):
        self.admin_setup()
        self.annotate("ann1", ["1"] * PAIRS, skip_first=False, check_help=True)
        self.annotate("ann2", ["2", "1", "1"], skip_first=True, check_help=False)
        self.review()
        self.admin_dashboard()
        self.store_check()

    # ----- admin -----

    def admin_setup(self):
        h, a = self.h, self.args
        h.get("/app/login")
        h.screenshot("01-login")
        h.check_page_basics("login page", logged_in=False)
        # A wrong password: the login page again with an .error, HTTP 401.
        h.fill("input#name", a.admin)
        h.fill("input#password", a.admin_password + "-wrong")
        h.drain_log()
        h.click("button#login-submit")
        h.wait_until(".error after a wrong password", lambda: h.visible(".error"))
        status = h.last_status("the wrong-password login")
        h.check("wrong password: .error shown with HTTP 401", status == 401, "HTTP 401", f"HTTP {status}")
        h.check("wrong password: still on /app/login", h.path().startswith("/app/login"), "/app/login", h.path())

        h.login(a.admin, a.admin_password, "/app/admin")
        h.check_page_basics("admin page")
        h.create_user("ann1", a.password, "annotator")
        h.create_user("ann2", a.password, "annotator")
        h.create_user("rev1", a.password, "reviewer")
        h.screenshot("02-admin")
        h.create_project(PROJECT, "Prefer the correct, helpful response. Flow test guideline.", 2, "paper")
        h.check_page_basics("project page")
        h.load_pairs("unverified", PAIRS, expect=PAIRS)
        for link in ("a#export-answers", "a#export-gold", "a#dashboard-link"):
            h.check(f"project page has {link}", h.find(link) is not None and h.find(link).get_attribute("href"),
                    f"{link} with an href", "missing")
        h.screenshot("03-project")
        h.logout("admin")

    def admin_dashboard(self):
        h, a = self.h, self.args
        h.login(a.admin, a.admin_password, "/app/admin")
        h.get(f"/app/admin/projects/{PROJECT}")
        s = h.requests_session()
        for link in ("a#export-answers", "a#export-gold"):
            href = h.need(link).get_property("href")
            r = s.get(href, allow_redirects=False, timeout=30)
            h.check(f"{link} downloads (HTTP 200 with the admin's session)", r.status_code == 200,
                    f"HTTP 200 from {href}", f"HTTP {r.status_code}: {r.text[:300]}")
        h.click("a#dashboard-link")
        want = f"/app/admin/projects/{PROJECT}/dashboard"
        h.wait_until(f"the dashboard at {want}", lambda: urllib.parse.urlsplit(h.driver.current_url).path == want)
        h.wait_ready()
        overall = h.need("#agreement-overall").text
        h.check("dashboard: #agreement-overall mentions percent agreement", "percent agreement" in overall.lower(),
                "text including 'percent agreement'", overall)
        h.check("dashboard: table#throughput present", h.find("table#throughput") is not None, "table#throughput", "missing")
        h.check_page_basics("dashboard")
        h.screenshot("07-dashboard")
        h.logout("admin")

    # ----- annotators -----

    def annotate(self, who, keys, skip_first, check_help):
        """Answers with `keys` in turn ("1" = A, "2" = B), each followed by Enter, until the
        queue is empty; with `skip_first`, first skips one pair with "s"."""
        h = self.h
        h.login(who, self.args.password, "/app/annotate")
        h.get(f"/app/annotate?project={PROJECT}")
        task = h.wait_state(FORM)
        h.check(f"{who}: /app/annotate?project={PROJECT} shows a pair", task is not None,
                "form#verdict-form with data-task-id", "#queue-empty")
        h.check_page_basics("annotate page")
        if check_help:
            self.check_help(who)
        if who == "ann1":
            h.screenshot("04-annotate")
        seen = set()
        if skip_first:
            remaining = h.number("#remaining")
            h.press("s")
            nxt = h.wait_state(FORM, previous=task)
            self.skipped = task
            h.check(f"{who}: 's' skips task {task} and loads another pair", nxt is not None and nxt != task,
                    "a new data-task-id", f"{nxt}")
            after = h.number("#remaining")
            h.check(f"{who}: #remaining drops by one after the skip", remaining is not None and after == remaining - 1,
                    f"{remaining} - 1", f"{after}")
            seen.add(task)
            task = nxt
        for n, key in enumerate(keys):
            if task is None:
                h.fail(f"{who}: pair {n + 1} of {len(keys)} offered", f"{len(keys)} pairs to answer", "#queue-empty earlier")
            h.check(f"{who}: task {task} is new to {who}" + (" (the skipped task never comes back)" if skip_first else ""),
                    task not in seen,
                    f"a task other than {sorted(seen)}", task)
            seen.add(task)
            view = h.pair_view()
            self.check_view(who, task, view)
            done, remaining = h.number("#done-today"), h.number("#remaining")
            h.check(f"{who}: #progress shows #done-today and #remaining as numbers",
                    done is not None and remaining is not None and h.find("#progress #done-today") is not None,
                    "numbers in #progress #done-today and #remaining", f"{h.text('#done-today')!r}, {h.text('#remaining')!r}")
            # The keystroke selects the radio; Enter submits.
            h.press(key)
            radio = "#verdict-a" if key == "1" else "#verdict-b"
            h.check(f"{who}: key {key} selects {radio}", h.checked(radio), f"{radio} checked",
                    f"not checked (focus on {h.focused()})")
            self.answers.setdefault(task, {})[who] = {"a": view["a"], "b": view["b"], "key": key, "turns": view["turns"]}
            h.press(Keys.ENTER)
            nxt = h.wait_state(FORM, previous=task)
            if nxt is not None:
                d2, r2 = h.number("#done-today"), h.number("#remaining")
                h.check(f"{who}: #done-today goes up by one and #remaining down by one",
                        d2 == done + 1 and r2 == remaining - 1, f"done {done + 1}, remaining {remaining - 1}",
                        f"done {d2}, remaining {r2}")
            task = nxt
        h.check(f"{who}: #queue-empty after {len(keys)} answer(s)", task is None, "#queue-empty", f"task {task}")
        h.check_page_basics("annotate page (empty queue)")
        if who == "ann1":
            # Every task ann1 answered is a distinct pair.
            pairs = {frozenset((v["ann1"]["a"], v["ann1"]["b"])) for v in self.answers.values()}
            h.check("ann1 answered 4 distinct pairs", len(self.answers) == PAIRS and len(pairs) == PAIRS,
                    f"{PAIRS} tasks with different texts", f"{len(self.answers)} tasks, {len(pairs)} distinct pairs")
        else:
            # ann2 saw the same tasks as ann1 (each task is one pair, answered by two people),
            # and each task showed both annotators the same two responses.
            h.check("ann2's tasks are ann1's (3 answered + 1 skipped)",
                    set(self.answers) == set(t for t in self.answers if "ann2" in self.answers[t]) | {self.skipped}
                    and self.skipped in self.answers and "ann2" not in self.answers[self.skipped],
                    f"ann1's tasks {sorted(self.answers)}", f"ann2 answered {sorted(t for t in self.answers if 'ann2' in self.answers[t])}, skipped {self.skipped}")
            for t, by in self.answers.items():
                if "ann2" in by:
                    h.check(f"task {t} showed ann1 and ann2 the same two responses",
                            {by["ann1"]["a"], by["ann1"]["b"]} == {by["ann2"]["a"], by["ann2"]["b"]},
                            "the same texts", f"ann1 {by['ann1']['a'][:60]!r}/{by['ann1']['b'][:60]!r}, ann2 {by['ann2']['a'][:60]!r}/{by['ann2']['b'][:60]!r}")
        h.logout(who)

    def check_help(self, who):
        h = self.h
        h.check(f"{who}: #help hidden at first", h.find("#help") is not None and not h.visible("#help"),
                "#help present, not displayed", "missing" if h.find("#help") is None else "displayed")
        h.press("?")
        h.wait_until("#help to show after '?'", lambda: h.visible("#help"), timeout=3)
        h.ok(f"{who}: '?' shows #help")
        h.press("?")
        h.wait_until("#help to hide after a second '?'", lambda: not h.visible("#help"), timeout=3)
        h.ok(f"{who}: '?' again hides #help")

    def check_view(self, who, task, view):
        """The pair view's parts (the roles are compared with the store at the end)."""
        h = self.h
        h.check(f"{who}, task {task}: #response-a and #response-b show two different texts",
                view["a"] and view["b"] and view["a"] != view["b"], "two non-empty, different texts",
                f"{view['a']!r} / {view['b']!r}")
        h.check(f"{who}, task {task}: #conversation has .turn elements, each with one turn-<role> class",
                view["turns"] and all(len(c) == 1 for c in view["turns"]),
                "each .turn with exactly one of turn-user/assistant/system/tool", view["turns"])
        h.check(f"{who}, task {task}: #attributes, #instance-guideline, a#project-guideline-link present",
                view["attributes"] and view["guideline"] and view["guidelineLink"], "all three",
                {k: view[k] for k in ("attributes", "guideline", "guidelineLink")})
        for css in ("#verdict-a", "#verdict-b", "#verdict-tie", "#verdict-undetermined",
                    "#strength-slightly", "#strength-clearly", "textarea#rationale", "button#submit-verdict"):
            if h.find(css) is None:
                h.fail(f"{who}, task {task}: {css} present", css, "missing")
        values = h.js("return Array.from(document.querySelectorAll('input[name=verdict]')).map(function (e) { return e.id + '=' + e.value; })")
        h.check(f"{who}, task {task}: verdict radios a/b/tie/undetermined", sorted(values) == sorted(
            ["verdict-a=a", "verdict-b=b", "verdict-tie=tie", "verdict-undetermined=undetermined"]),
            "verdict-a=a, verdict-b=b, verdict-tie=tie, verdict-undetermined=undetermined", values)

    # ----- reviewer -----

    def review(self):
        h = self.h
        h.login("rev1", self.args.password, "/app/review")
        h.get(f"/app/review?project={PROJECT}")
        task = h.wait_state(REVIEW_FORM)
        h.check_page_basics("review page")
        shot = False
        for _ in range(PAIRS + 1):
            if task is None:
                break
            if not shot:
                h.screenshot("05-review")
                shot = True
            view = h.pair_view()
            rows = len(h.driver.find_elements("css selector", "table#answers tr.answer"))
            h.check(f"rev1, review task {task}: table#answers lists the two answers", rows == 2, "2 tr.answer rows", rows)
            values = h.js("return Array.from(document.querySelectorAll('input[name=decision]')).map(function (e) { return e.id + '=' + e.value; })")
            h.check(f"rev1, review task {task}: decision radios a/b/undetermined",
                    sorted(values) == ["decision-a=a", "decision-b=b", "decision-undetermined=undetermined"],
                    "decision-a=a, decision-b=b, decision-undetermined=undetermined", values)
            h.press("1")
            h.check(f"rev1, review task {task}: key 1 selects #decision-a", h.checked("#decision-a"), "#decision-a checked",
                    f"not checked (focus on {h.focused()})")
            self.reviews.append({"a": view["a"], "b": view["b"], "key": "1"})
            h.press(Keys.ENTER)
            task = h.wait_state(REVIEW_FORM, previous=task)
        h.check("rev1: #queue-empty once the reviews are done", task is None, "#queue-empty", f"task {task}")
        if not shot:
            h.screenshot("05-review")
        # The reviewer got exactly the pairs the annotators disagreed on, each once.
        disputed = sorted(t for t, by in self.answers.items() if "ann2" in by and self.preferred(by["ann1"]) != self.preferred(by["ann2"]))
        got = []
        for r in self.reviews:
            match = [t for t, by in self.answers.items() if {by["ann1"]["a"], by["ann1"]["b"]} == {r["a"], r["b"]}]
            got.append(match[0] if len(match) == 1 else f"unknown pair {r['a'][:40]!r}")
        h.check("rev1 reviewed exactly the pairs ann1 and ann2 disagreed on", sorted(got, key=str) == disputed,
                f"tasks {disputed}", f"{got}")
        h.screenshot("06-review-done")
        h.logout("rev1")

    @staticmethod
    def preferred(answer):
        """The text an answer prefers: key 1 is #response-a, key 2 #response-b."""
        return answer["a"] if answer["key"] == "1" else answer["b"]

    # ----- the store -----

    def expected(self):
        """task -> ("gold", preferred text) or ("unverified", None)."""
        out = {}
        for t, by in self.answers.items():
            if "ann2" not in by:
                out[t] = ("unverified", None)       # one answer of the two needed
                continue
            p1, p2 = self.preferred(by["ann1"]), self.preferred(by["ann2"])
            if p1 == p2:
                out[t] = ("gold", p1)               # agreed: their choice
            else:
                r = [x for x in self.reviews if {x["a"], x["b"]} == {p1, p2}]
                out[t] = ("gold", self.preferred(r[0]) if r else None)  # disputed: the reviewer's choice
        return out

    def export(self, tier, fmt):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, f"{tier}.jsonl")
            run_cli(self.h, [self.args.synpref, "data", "export", "--store", self.args.store, "--tier", tier,
                             "--format", fmt, out], f"synpref data export --tier {tier} --format {fmt}")
            with open(out, encoding="utf-8") as f:
                return [json.loads(line) for line in f if line.strip()]

    @staticmethod
    def content(m):
        """A response as exported: TRL gives [message], jsonl a message."""
        if isinstance(m, list):
            m = m[-1]
        return m["content"] if isinstance(m, dict) else m

    def store_check(self):
        h = self.h
        expected = self.expected()
        gold_trl = self.export("gold", "trl")          # verified orientation
        gold_jsonl = self.export("gold", "jsonl")      # stored orientation + label log
        unverified = self.export("unverified", "jsonl")

        def records_of(rows, by):
            """Rows whose two responses are the ones the page showed for this task."""
            a, b = by["ann1"]["a"], by["ann1"]["b"]
            return [r for r in rows
                    if (same_text(a, self.content(r["chosen"])) and same_text(b, self.content(r["rejected"])))
                    or (same_text(b, self.content(r["chosen"])) and same_text(a, self.content(r["rejected"])))]

        for t, (tier, want) in sorted(expected.items()):
            by = self.answers[t]
            trl = records_of(gold_trl, by)
            if tier == "unverified":
                h.check(f"store: skipped task {t} (one answer) is not gold", not trl, "no gold record", trl)
                rows = records_of(unverified, by)
                h.check(f"store: skipped task {t} is still unverified", len(rows) == 1, "1 unverified record", self.unmatched(rows, by))
                self.check_turns(t, by, rows[0])
                continue
            h.check(f"store: task {t} is gold once", len(trl) == 1, "1 gold record with these responses", self.unmatched(trl, by))
            chosen = self.content(trl[0]["chosen"])
            h.check(f"store: task {t}'s gold chosen is the response the decision preferred",
                    want is not None and same_text(want, chosen), f"chosen = {want!r}", f"chosen = {chosen!r}")
            rows = records_of(gold_jsonl, by)
            h.check(f"store: task {t} in the jsonl export once", len(rows) == 1, "1 record", len(rows))
            self.check_turns(t, by, rows[0])
            self.check_labels(t, by, rows[0])
        n_gold = sum(1 for tier, _ in expected.values() if tier == "gold")
        ours = sum(len(records_of(gold_trl, by)) for by in self.answers.values())
        h.check(f"store: {n_gold} of the {PAIRS} pairs are gold", ours == n_gold, n_gold, ours)

    @staticmethod
    def unmatched(rows, by):
        """What to say when a task's pair is not exported (once) in a tier."""
        if rows:
            return f"{len(rows)} records"
        return ("0 records whose responses are the texts the page showed: "
                f"A {by['ann1']['a'][:80]!r}, B {by['ann1']['b'][:80]!r} (if the pair is there, the page "
                "shows its text differently from the store: the flow needs plain-text pairs such as "
                "Tests/Browser/flow_pairs.jsonl)")

    def check_turns(self, t, by, row):
        """The page showed the stored conversation's turns, in order, with their roles."""
        want = [[ROLE_CLASSES.get(m["role"], m["role"])] for m in row["context"]]
        self.h.check(f"store: task {t}'s .turn classes follow the stored conversation's roles",
                     by["ann1"]["turns"] == want, want, by["ann1"]["turns"])

    def check_labels(self, t, by, row):
        """Each annotator's answer (and the reviewer's) is in the label log, in the stored
        orientation: `chosen` when they preferred the stored chosen response."""
        h = self.h
        stored_chosen = self.content(row["chosen"])
        want = {}
        for who, ans in by.items():
            want[who] = "chosen" if same_text(self.preferred(ans), stored_chosen) else "rejected"
        for r in self.reviews:
            if {r["a"], r["b"]} == {by["ann1"]["a"], by["ann1"]["b"]}:
                want["rev1"] = "chosen" if same_text(self.preferred(r), stored_chosen) else "rejected"
        got = {}
        for l in row.get("labels", []):
            if l.get("labeler_kind") == "human":
                got.setdefault(l["labeler_id"], []).append(l["label"])
        h.check(f"store: task {t}'s human labels are {want}",
                all(got.get(who) == [label] for who, label in want.items()) and set(got) == set(want),
                {k: [v] for k, v in want.items()}, got)


if __name__ == "__main__":
    sys.exit(main())
