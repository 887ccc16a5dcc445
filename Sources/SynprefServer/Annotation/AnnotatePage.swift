import Foundation
import SynprefCuration
import SynprefData

/// The annotator's page (one pair at a time, verdict by keyboard) and the reviewer's page
/// (the same pair view, the annotators' answers, a final decision).
enum AnnotatePage {
    static let keyboardHelp = """
        <section id="help" hidden><h3>Keyboard</h3><p><kbd>1</kbd> Response A is better · <kbd>2</kbd> Response B is better ·
        <kbd>3</kbd> tie · <kbd>0</kbd> cannot determine · <kbd>Enter</kbd> submit · <kbd>S</kbd> skip · <kbd>?</kbd> this help.
        Typing in the rationale box does not trigger shortcuts.</p></section>
        """

    static func progressBar(_ p: AnnotationDesk.Progress) -> String {
        """
        <section id="progress"><span>Done today: <b id="done-today">\(p.doneToday)</b></span>
        <span>Remaining in the queue: <b id="remaining">\(p.remaining)</b></span>
        <span>Agreement with final labels: <b id="agreement-rate">\(AppPage.percent(p.agreementWithFinal))</b></span></section>
        """
    }

    static func projectList(_ names: [String], path: String) -> String {
        if names.isEmpty { return "<section id=\"queue-empty\"><p>No annotation project yet: an admin creates one.</p></section>" }
        return "<section><h1>Projects</h1><ul>" + names.map {
            "<li><a class=\"project-link\" href=\"\(path)?project=\(FormBody.encode($0))\">\(AppPage.e($0))</a></li>"
        }.joined() + "</ul></section>"
    }

    static func annotate(project: String, assignment: AnnotationDesk.Assignment?, progress: AnnotationDesk.Progress, csrf: String,
                         startedMillis: Int64) -> String {
        guard let a = assignment else {
            return progressBar(progress) + "<section id=\"queue-empty\"><h2>Nothing left for you in \(AppPage.e(project))</h2><p>Every pair you may answer is answered or held by someone else. Check back later.</p></section>"
        }
        let hidden = AppPage.csrfField(csrf) + "<input type=\"hidden\" name=\"task\" value=\"\(a.task.id)\"><input type=\"hidden\" name=\"project\" value=\"\(AppPage.e(project))\">"
        func radio(_ value: String, _ key: String, _ text: String) -> String {
            "<label><input type=\"radio\" name=\"verdict\" id=\"verdict-\(value)\" value=\"\(value)\" required> <span><kbd>\(key)</kbd> \(text)</span></label>"
        }
        return progressBar(progress) + """
            <p id="lease-note" class="error" hidden>Your hold on this pair ran out; reload the page to get a pair again (an answer now would not be recorded).</p>
            <div class="layout"><div class="pair">\(PairView.conversation(a.pair.context))\(PairView.responses(a))</div>
            <aside>\(PairView.attributes(a.pair, project: project))
            <form id="verdict-form" method="post" action="/app/annotate/submit" data-task-id="\(a.task.id)" data-project="\(AppPage.e(project))" data-renew="/app/annotate/renew">
            \(hidden)<input type="hidden" name="started" value="\(startedMillis)">
            <fieldset class="choices"><legend>Which response is better?</legend>
            \(radio("a", "1", "Response A is better"))\(radio("b", "2", "Response B is better"))\(radio("tie", "3", "Tie"))\(radio("undetermined", "0", "Cannot determine"))
            </fieldset>
            <fieldset class="choices"><legend>How clearly? (optional)</legend>
            <label><input type="radio" name="strength" id="strength-slightly" value="slightly"> <span>Slightly</span></label>
            <label><input type="radio" name="strength" id="strength-clearly" value="clearly"> <span>Clearly</span></label></fieldset>
            <label class="field">Rationale (optional) <textarea id="rationale" name="rationale" maxlength="4000"></textarea></label>
            <button id="submit-verdict" type="submit">Submit <kbd>Enter</kbd></button>
            </form>
            <form id="skip-form" method="post" action="/app/annotate/skip">\(hidden)<button id="skip" class="secondary" type="submit">Skip <kbd>S</kbd></button></form>
            <p class="role">Press <kbd>?</kbd> for keyboard help.</p></aside></div>
            """ + keyboardHelp
    }

    static func review(project: String, assignment: AnnotationDesk.Assignment?, answers: [(worker: String, answer: HumanAnswer)], reason: String?,
                       progress: AnnotationDesk.Progress, csrf: String, startedMillis: Int64) -> String {
        guard let a = assignment else {
            return progressBar(progress) + "<section id=\"queue-empty\"><h2>No pair waits for review in \(AppPage.e(project))</h2></section>"
        }
        var rows = ""
        for (worker, answer) in answers {
            let seen: String
            switch answer.verdict(chosenShownFirst: a.chosenShownFirst) {
            case .a: seen = "Response A"
            case .b: seen = "Response B"
            case .tie: seen = "Tie"
            case .undetermined: seen = "Cannot determine"
            }
            rows += "<tr class=\"answer\"><td>\(AppPage.e(worker))</td><td>\(seen)</td><td>\(answer.strength?.rawValue ?? "")</td>"
            rows += "<td>\(AppPage.e(answer.rationale ?? ""))</td><td>\(answer.milliseconds.map { String(format: "%.0f s", Double($0) / 1000) } ?? "")</td></tr>"
        }
        func radio(_ value: String, _ key: String, _ text: String) -> String {
            "<label><input type=\"radio\" name=\"decision\" id=\"decision-\(value)\" value=\"\(value)\" required> <span><kbd>\(key)</kbd> \(text)</span></label>"
        }
        return progressBar(progress) + """
            <div class="layout"><div class="pair">\(PairView.conversation(a.pair.context))\(PairView.responses(a))</div>
            <aside>\(PairView.attributes(a.pair, project: project))
            <section><h3>Answers</h3><p>\(AppPage.e(reason ?? ""))</p><table id="answers"><tr><th>Annotator</th><th>Verdict</th><th>Strength</th><th>Rationale</th><th>Time</th></tr>\(rows)</table></section>
            <form id="decision-form" method="post" action="/app/review/submit" data-task-id="\(a.task.id)" data-project="\(AppPage.e(project))" data-renew="/app/review/renew">
            \(AppPage.csrfField(csrf))<input type="hidden" name="task" value="\(a.task.id)"><input type="hidden" name="project" value="\(AppPage.e(project))">
            <input type="hidden" name="started" value="\(startedMillis)">
            <fieldset class="choices"><legend>Final decision</legend>
            \(radio("a", "1", "Response A is better"))\(radio("b", "2", "Response B is better"))\(radio("undetermined", "0", "Cannot determine (discard)"))
            </fieldset>
            <label class="field">Note (optional) <textarea id="rationale" name="rationale" maxlength="4000"></textarea></label>
            <button id="submit-decision" type="submit">Decide <kbd>Enter</kbd></button></form>
            </aside></div>
            """ + keyboardHelp.replacingOccurrences(of: "<kbd>3</kbd> tie · ", with: "").replacingOccurrences(of: " · <kbd>S</kbd> skip", with: "")
    }
}
