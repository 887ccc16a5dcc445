import SynprefCore

/// Renders conversation files for `synpref chat-template`: JSON lines
/// `{"id": ..., "messages": [...], "tools"?: [...]}` become `{"id": ..., "text": "..."}`.
/// `id` is echoed as given (any JSON value); `tools`, when present, is passed to the
/// template as `apply_chat_template(tools=...)` does; other keys are ignored. Blank
/// lines are skipped.
public struct ChatTemplateJSONL: Sendable {
    public var template: ChatTemplate
    /// False by default: reward scoring needs the finished conversation.
    public var addGenerationPrompt: Bool

    public init(template: ChatTemplate, addGenerationPrompt: Bool = false) {
        self.template = template
        self.addGenerationPrompt = addGenerationPrompt
    }

    /// One output line (without its newline) for one input line, or nil for a blank line.
    public func renderLine(_ bytes: [UInt8], path: String, lineNumber: Int) throws -> String? {
        if LineReader.isBlank(bytes) { return nil }
        func malformed(_ reason: String) -> ChatTemplateInputError {
            .malformedLine(path: path, line: lineNumber, reason: reason)
        }
        let value: JinjaValue
        do {
            value = try JinjaValue(json: bytes)
        } catch let e as JinjaJSONError {
            throw malformed("invalid JSON: \(e)")
        }
        guard case .object(let object) = value else { throw malformed("expected a JSON object {\"id\", \"messages\"}") }
        guard let id = object["id"] else { throw malformed("missing \"id\"") }
        guard case .array(let messages)? = object["messages"] else {
            throw malformed("\"messages\" must be a list of {\"role\", \"content\"} objects")
        }
        if messages.isEmpty { throw malformed("\"messages\" is empty") }
        for (i, m) in messages.enumerated() {
            guard case .object(let o) = m else { throw malformed("messages[\(i)] is not an object") }
            guard o["role"]?.stringValue != nil else { throw malformed("messages[\(i)] has no string \"role\"") }
        }
        var extra: [String: JinjaValue] = [:]
        if let tools = object["tools"] { extra["tools"] = tools }
        let text: String
        do {
            text = try template.render(messages: messages, addGenerationPrompt: addGenerationPrompt, extraContext: extra)
        } catch {
            throw ChatTemplateInputError.renderFailed(path: path, line: lineNumber, id: id.jsonString(), reason: "\(error)")
        }
        return JinjaValue.object(JinjaObject([("id", id), ("text", .string(text))])).jsonString()
    }

    /// Renders every line of `path` (plain or gzip), handing each output line to `write`.
    /// Stops at the first bad line. Returns the number of conversations rendered.
    @discardableResult
    public func renderFile(
        path: String, progress: any ProgressObserver = SilentProgress(), write: (String) throws -> Void
    ) throws -> Int {
        let reader = try LineReader(path: path)
        var count = 0
        while let (number, bytes) = try reader.nextLine() {
            guard let line = try renderLine(bytes, path: path, lineNumber: number) else { continue }
            try write(line)
            count += 1
            if count % 1000 == 0 {
                progress.report(ProgressEvent(task: "chat-template", completed: count, total: nil, unit: "conversations"))
            }
        }
        progress.report(ProgressEvent(task: "chat-template", completed: count, total: count, unit: "conversations"))
        return count
    }
}

/// A bad line in a conversation file.
public enum ChatTemplateInputError: Error, CustomStringConvertible, Equatable {
    case malformedLine(path: String, line: Int, reason: String)
    case renderFailed(path: String, line: Int, id: String, reason: String)

    public var description: String {
        switch self {
        case .malformedLine(let path, let line, let reason):
            return "\(path):\(line): \(reason). Each line must be {\"id\": ..., \"messages\": [{\"role\": ..., \"content\": ...}, ...]}."
        case .renderFailed(let path, let line, let id, let reason):
            return "\(path):\(line): conversation \(id) could not be rendered: \(reason)"
        }
    }
}
