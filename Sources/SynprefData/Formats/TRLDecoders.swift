import SynprefCore

/// TRL conversational with implicit prompt (and OpenRLHF without a prompt key): two full
/// conversations that share all turns but the final assistant response.
struct ImplicitPromptDecoder: PreferenceRecordDecoder {
    var chosenKey: String
    var rejectedKey: String
    var marginKey: String

    func decode(_ record: JSONValue) -> [Result<PreferencePair, FieldIssue>] {
        one { () throws(FieldIssue) -> PreferencePair in
            let o = try JSONMessages.object(record, "(record)")
            let c = try JSONMessages.messages(try JSONMessages.member(o, chosenKey, chosenKey), chosenKey)
            let r = try JSONMessages.messages(try JSONMessages.member(o, rejectedKey, rejectedKey), rejectedKey)
            let split = try JSONMessages.splitSharedPrefix(chosen: c, rejected: r, chosenField: chosenKey, rejectedField: rejectedKey)
            let margin = try JSONMessages.optionalNumber(o, marginKey)
            return PreferencePair(context: split.context, chosen: split.chosen, rejected: split.rejected, source: "", margin: margin)
        }
    }
}

/// TRL explicit prompt and OpenRLHF with a prompt key: the prompt as a string (one user
/// turn) or messages; each response as a string or a one-message list. When the prompt
/// key is absent and not required, falls back to the implicit-prompt layout.
struct ExplicitPromptDecoder: PreferenceRecordDecoder {
    var promptKey: String
    var chosenKey: String
    var rejectedKey: String
    var marginKey: String
    var promptRequired: Bool

    func decode(_ record: JSONValue) -> [Result<PreferencePair, FieldIssue>] {
        if !promptRequired, case .object(let o) = record, !o.contains(key: promptKey) {
            return ImplicitPromptDecoder(chosenKey: chosenKey, rejectedKey: rejectedKey, marginKey: marginKey).decode(record)
        }
        return one { () throws(FieldIssue) -> PreferencePair in
            let o = try JSONMessages.object(record, "(record)")
            let context = try JSONMessages.prompt(try JSONMessages.member(o, promptKey, promptKey), promptKey)
            let chosen = try JSONMessages.response(try JSONMessages.member(o, chosenKey, chosenKey), chosenKey)
            let rejected = try JSONMessages.response(try JSONMessages.member(o, rejectedKey, rejectedKey), rejectedKey)
            let margin = try JSONMessages.optionalNumber(o, marginKey)
            return PreferencePair(context: context, chosen: chosen, rejected: rejected, source: "", margin: margin)
        }
    }
}

// MARK: fast paths (see `PreferenceRecordDecoder.fastDecode`)

extension ImplicitPromptDecoder {
    func fastDecode(_ bytes: [UInt8]) -> [Result<PreferencePair, FieldIssue>]? {
        let parts: (c: [Message], r: [Message], margin: Double?)?
        do {
            parts = try JSONCursor.read(bytes) { (c: inout JSONCursor) throws(JSONError) -> ([Message], [Message], Double?)? in
                guard try c.peek() == .object else { return nil }
                try c.beginObject()
                var chosen: [Message]? = nil
                var rejected: [Message]? = nil
                var margin: Double? = nil
                // The second conversation repeats the first's shared turns byte for byte:
                // those are taken over instead of being parsed again.
                var first: [(Message, Range<Int>)] = []
                while let key = try c.nextKey() {
                    if key == chosenKey {
                        guard let m = try FastMessages.messages(&c, repeating: &first) else { return nil }
                        chosen = m
                    } else if key == rejectedKey {
                        guard let m = try FastMessages.messages(&c, repeating: &first) else { return nil }
                        rejected = m
                    } else if key == marginKey {
                        guard let m = try FastMessages.optionalNumber(&c) else { return nil }
                        margin = m.value
                    } else {
                        try c.skipValue()
                    }
                }
                try c.end()
                guard let chosen, let rejected else { return nil }
                return (chosen, rejected, margin)
            }
        } catch {
            return nil
        }
        guard let parts else { return nil }
        return one { () throws(FieldIssue) -> PreferencePair in
            let split = try JSONMessages.splitSharedPrefix(chosen: parts.c, rejected: parts.r, chosenField: chosenKey, rejectedField: rejectedKey)
            return PreferencePair(context: split.context, chosen: split.chosen, rejected: split.rejected, source: "", margin: parts.margin)
        }
    }
}

extension ExplicitPromptDecoder {
    func fastDecode(_ bytes: [UInt8]) -> [Result<PreferencePair, FieldIssue>]? {
        let pair: PreferencePair?
        do {
            pair = try JSONCursor.read(bytes) { (c: inout JSONCursor) throws(JSONError) -> PreferencePair? in
                guard try c.peek() == .object else { return nil }
                try c.beginObject()
                var prompt: [Message]? = nil
                var chosen: Message? = nil
                var rejected: Message? = nil
                var margin: Double? = nil
                while let key = try c.nextKey() {
                    if key == promptKey {
                        switch try c.peek() {
                        case .string: prompt = [Message(role: .user, content: try c.readString())]
                        case .array:
                            guard let m = try FastMessages.messages(&c) else { return nil }
                            prompt = m
                        default: return nil
                        }
                    } else if key == chosenKey {
                        guard let m = try FastMessages.response(&c) else { return nil }
                        chosen = m
                    } else if key == rejectedKey {
                        guard let m = try FastMessages.response(&c) else { return nil }
                        rejected = m
                    } else if key == marginKey {
                        guard let m = try FastMessages.optionalNumber(&c) else { return nil }
                        margin = m.value
                    } else {
                        try c.skipValue()
                    }
                }
                try c.end()
                guard let prompt, let chosen, let rejected else { return nil }
                return PreferencePair(context: prompt, chosen: chosen, rejected: rejected, source: "", margin: margin)
            }
        } catch {
            return nil
        }
        return pair.map { [.success($0)] }
    }
}

/// Reading messages with a `JSONCursor`; nil means "not the common shape: take the slow path".
enum FastMessages {
    static func message(_ c: inout JSONCursor) throws(JSONError) -> Message? {
        guard try c.peek() == .object else { return nil }
        try c.beginObject()
        var role: ChatRole? = nil
        var content: String? = nil
        var reasoning: String? = nil
        while let key = try c.nextKey() {
            // (if/else: a `switch` on strings goes through a slower generic search)
            if key == "role" {
                guard try c.peek() == .string, let r = ChatRole(rawValue: try c.readString()) else { return nil }
                role = r
            } else if key == "content" {
                guard try c.peek() == .string else { return nil }
                content = try c.readString()
            } else if key == "reasoning_content" {
                if try c.readNull() {
                    reasoning = nil
                } else {
                    guard try c.peek() == .string else { return nil }
                    reasoning = try c.readString()
                }
            } else {
                try c.skipValue()
            }
        }
        guard let role, let content else { return nil }
        return Message(role: role, content: content, reasoningContent: reasoning)
    }

    static func messages(_ c: inout JSONCursor) throws(JSONError) -> [Message]? {
        guard try c.peek() == .array else { return nil }
        try c.beginArray()
        var out: [Message] = []
        out.reserveCapacity(4)
        while try c.nextElement() {
            guard let m = try message(&c) else { return nil }
            out.append(m)
        }
        return out
    }

    /// Messages of one of two conversations that share their first turns. `earlier` holds
    /// the messages (and byte ranges) of the conversation read first, or is empty and then
    /// receives this one's: element i is taken over from it when its bytes repeat element
    /// i's exactly (see `JSONCursor.skipRepeat`), else parsed.
    static func messages(_ c: inout JSONCursor, repeating earlier: inout [(Message, Range<Int>)]) throws(JSONError) -> [Message]? {
        guard try c.peek() == .array else { return nil }
        try c.beginArray()
        let record = earlier.isEmpty
        var out: [Message] = []
        out.reserveCapacity(record ? 4 : earlier.count)
        var sharing = !record
        while try c.nextElement() {
            let i = out.count
            if sharing && i < earlier.count && c.skipRepeat(of: earlier[i].1) {
                out.append(earlier[i].0)
                continue
            }
            sharing = false
            let start = c.valueStart()
            guard let m = try message(&c) else { return nil }
            out.append(m)
            if record { earlier.append((m, start..<c.offset)) }
        }
        return out
    }

    /// A response: a string (assistant turn) or a list of exactly one message.
    static func response(_ c: inout JSONCursor) throws(JSONError) -> Message? {
        switch try c.peek() {
        case .string: return Message(role: .assistant, content: try c.readString())
        case .array:
            guard let ms = try messages(&c), ms.count == 1 else { return nil }
            return ms[0]
        default: return nil
        }
    }

    /// `.some(value)` for a number or null; nil for anything else.
    static func optionalNumber(_ c: inout JSONCursor) throws(JSONError) -> (value: Double?, Void)? {
        switch try c.peek() {
        case .null:
            _ = try c.readNull()
            return (nil, ())
        case .number: return (try c.readNumber(), ())
        default: return nil
        }
    }
}
