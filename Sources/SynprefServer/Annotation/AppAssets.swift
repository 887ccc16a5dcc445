/// The annotation app's one style sheet and one script, served from `/app/static/` (the
/// Content-Security-Policy allows scripts and styles from the app itself only, never inline).
enum AppAssets {
    static let css = """
        :root { --fg: #1d2433; --muted: #5b6478; --line: #d8dde6; --accent: #2456a6; --bg: #f6f7fa; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
        header.top { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; padding: .5rem 1rem; background: #fff; border-bottom: 1px solid var(--line); }
        header.top .brand { font-weight: 700; }
        header.top nav a { margin-right: .75rem; }
        header.top .who { margin-left: auto; color: var(--muted); }
        header.top form { display: inline; margin: 0; }
        main { padding: 1rem; max-width: 1400px; margin: 0 auto; overflow-wrap: anywhere; word-break: break-word; }
        a { color: var(--accent); }
        .error { background: #fdecec; border: 1px solid #e3a1a1; padding: .5rem .75rem; border-radius: 6px; }
        .notice { background: #eaf5ea; border: 1px solid #9fcf9f; padding: .5rem .75rem; border-radius: 6px; }
        .layout { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 1fr); gap: 1rem; }
        @media (max-width: 900px) { .layout { grid-template-columns: minmax(0, 1fr); } }
        .responses { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1rem; }
        @media (max-width: 700px) { .responses { grid-template-columns: minmax(0, 1fr); } }
        section, aside > * { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: .75rem 1rem; margin-bottom: 1rem; }
        .turn { border-left: 4px solid var(--line); padding: .25rem .75rem; margin: .5rem 0; }
        .turn-user { border-color: #6b8fd6; } .turn-assistant { border-color: #7cb48a; }
        .turn-system { border-color: #c9a227; background: #fffbea; } .turn-tool { border-color: #a77bd1; background: #f7f0fd; }
        .role { font-size: .8rem; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); }
        .content, .response-body, td, dd { overflow-wrap: anywhere; word-break: break-word; }
        pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f1f3f7; padding: .5rem; border-radius: 6px; max-width: 100%; }
        code { background: #f1f3f7; padding: 0 .2rem; border-radius: 3px; }
        .choices label { display: block; padding: .35rem .5rem; border: 1px solid var(--line); border-radius: 6px; margin: .25rem 0; cursor: pointer; }
        .choices input:checked + span { font-weight: 700; }
        kbd { border: 1px solid var(--line); border-bottom-width: 2px; border-radius: 4px; padding: 0 .3rem; font-size: .85em; background: #fff; }
        textarea { width: 100%; min-height: 4rem; }
        button { font: inherit; padding: .4rem .9rem; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
        button.secondary { background: #fff; color: var(--accent); }
        table { border-collapse: collapse; width: 100%; background: #fff; }
        th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
        #progress { display: flex; gap: 1.5rem; flex-wrap: wrap; }
        #help { position: fixed; right: 1rem; bottom: 1rem; max-width: 22rem; box-shadow: 0 4px 16px rgba(0,0,0,.15); }
        dl { margin: 0; } dt { font-weight: 600; margin-top: .4rem; } dd { margin: 0; }
        form.inline { display: inline-flex; gap: .4rem; align-items: center; flex-wrap: wrap; }
        label.field { display: block; margin: .4rem 0; }
        label.field input, label.field select, label.field textarea { display: block; width: 100%; max-width: 36rem; }
        """

    /// Keyboard verdicts, Enter to submit, S to skip, ? for help; lease renewal while the
    /// page is open.
    static let js = """
        (function () {
          "use strict";
          var form = document.getElementById("verdict-form") || document.getElementById("decision-form");
          var help = document.getElementById("help");
          function pick(id) { var el = document.getElementById(id); if (el) { el.checked = true; el.focus(); } }
          function chosen() { return form && form.querySelector("input[type=radio][name=verdict]:checked, input[type=radio][name=decision]:checked"); }
          document.addEventListener("keydown", function (e) {
            var t = e.target;
            var typing = t && (t.tagName === "TEXTAREA" || (t.tagName === "INPUT" && t.type !== "radio" && t.type !== "checkbox") || t.tagName === "SELECT");
            if (typing || e.ctrlKey || e.metaKey || e.altKey) { return; }
            if (e.key === "?") { if (help) { help.hidden = !help.hidden; } e.preventDefault(); return; }
            if (!form) { return; }
            var review = form.id === "decision-form";
            var keys = review ? { "1": "decision-a", "2": "decision-b", "0": "decision-undetermined" }
                              : { "1": "verdict-a", "2": "verdict-b", "3": "verdict-tie", "0": "verdict-undetermined" };
            if (keys[e.key]) { pick(keys[e.key]); e.preventDefault(); return; }
            if (e.key === "Enter") {
              if (chosen()) { e.preventDefault(); form.requestSubmit ? form.requestSubmit() : form.submit(); }
              return;
            }
            if ((e.key === "s" || e.key === "S") && !review) {
              var skip = document.getElementById("skip-form");
              if (skip) { e.preventDefault(); skip.submit(); }
            }
          });
          // Keep the lease on this pair while the page is open.
          if (form && form.dataset.renew) {
            var csrf = form.querySelector("input[name=csrf]").value;
            setInterval(function () {
              var body = new URLSearchParams({ csrf: csrf, task: form.dataset.taskId, project: form.dataset.project });
              fetch(form.dataset.renew, { method: "POST", body: body, credentials: "same-origin" }).then(function (r) {
                if (r.status === 409) {
                  var note = document.getElementById("lease-note");
                  if (note) { note.hidden = false; }
                }
              });
            }, 60000);
          }
        })();
        """
}
