import SynprefCore
import SynprefCuration
import SynprefData

/// A pair as annotators and reviewers see it: the conversation (system and tool turns set
/// apart), Response A and Response B side by side in the order drawn for this person, the
/// pair's attributes and instance guideline, and a link to the project guideline. All text
/// goes through `SafeMarkdown`.
enum PairView {
    static func conversation(_ messages: [Message]) -> String {
        var s = "<section id=\"conversation\"><h2>Conversation</h2>"
        if messages.isEmpty { s += "<p class=\"role\">(no earlier turns)</p>" }
        for m in messages {
            let role = m.role.rawValue
            let cls: String
            switch role {
            case "user": cls = "turn-user"
            case "assistant": cls = "turn-assistant"
            case "system", "developer": cls = "turn-system"
            default: cls = "turn-tool"
            }
            s += "<div class=\"turn \(cls)\"><div class=\"role\">\(AppPage.e(role))</div><div class=\"content\">\(SafeMarkdown.render(m.content))</div></div>"
        }
        return s + "</section>"
    }

    static func responses(_ a: AnnotationDesk.Assignment) -> String {
        """
        <div class="responses">
        <section id="response-a" class="response"><h3>Response A</h3><div class="response-body">\(SafeMarkdown.render(a.responseA.content))</div></section>
        <section id="response-b" class="response"><h3>Response B</h3><div class="response-body">\(SafeMarkdown.render(a.responseB.content))</div></section>
        </div>
        """
    }

    static func attributes(_ pair: PreferencePair, project: String) -> String {
        var s = "<section id=\"attributes\"><h3>Attributes</h3>"
        if let a = pair.attributes {
            s += "<dl><dt>Task category</dt><dd>\(AppPage.e(a.taskCategory))</dd>"
            s += "<dt>Objectivity</dt><dd>\(a.objectivity.rawValue)</dd><dt>Controversiality</dt><dd>\(a.controversiality.rawValue)</dd>"
            s += "<dt>Desired attributes</dt><dd>\(SafeMarkdown.render(a.desiredAttributes))</dd></dl>"
        } else {
            s += "<p class=\"role\">No attributes for this pair yet.</p>"
        }
        s += "</section><section id=\"instance-guideline\"><h3>Guideline for this pair</h3>"
        s += pair.attributes.map { SafeMarkdown.render($0.annotationGuideline) } ?? "<p class=\"role\">Follow the project guideline.</p>"
        s += "<p><a id=\"project-guideline-link\" href=\"/app/guideline?project=\(FormBody.encode(project))\" target=\"_blank\" rel=\"noopener\">Project guideline</a></p></section>"
        return s
    }
}
