#if canImport(Glibc)
import SynprefCore
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Size limits applied to every pair; larger pairs are reported, not stored.
public struct ValidationLimits: Sendable, Hashable {
    /// Bytes of UTF-8 in one message's content (plus reasoning). Default 1 MiB.
    public var maxMessageBytes: Int
    /// Turns in the context. Default 512.
    public var maxContextTurns: Int
    /// Bytes of UTF-8 in the whole pair. Default 4 MiB.
    public var maxPairBytes: Int

    public init(maxMessageBytes: Int = 1 << 20, maxContextTurns: Int = 512, maxPairBytes: Int = 4 << 20) {
        self.maxMessageBytes = maxMessageBytes
        self.maxContextTurns = maxContextTurns
        self.maxPairBytes = maxPairBytes
    }
}

/// The checks every pair passes before it is stored (valid UTF-8 is already guaranteed by
/// the JSON parser):
///
/// - the context is not empty, has at most `maxContextTurns` turns, a system turn only
///   first, then starts with a user turn; a tool turn follows an assistant or tool turn;
///   the context ends with a user or tool turn;
/// - chosen and rejected are assistant messages with non-blank content, and differ;
/// - no text contains U+0000 (PostgreSQL text cannot hold it);
/// - every message and the whole pair fit the size limits.
public struct PairValidator: Sendable {
    public var limits: ValidationLimits

    public init(limits: ValidationLimits = ValidationLimits()) { self.limits = limits }

    /// Every problem of the pair (empty when it is valid).
    public func issues(_ pair: PreferencePair) -> [FieldIssue] {
        var out: [FieldIssue] = []
        let ctx = pair.context
        if ctx.isEmpty {
            out.append(FieldIssue("context", "is empty; a pair needs at least one user turn before the responses"))
        } else if ctx.count > limits.maxContextTurns {
            out.append(FieldIssue("context", "has \(ctx.count) turns, more than the limit of \(limits.maxContextTurns)"))
        } else {
            var sawUser = false
            for (i, m) in ctx.enumerated() {
                switch m.role {
                case .system:
                    if i != 0 { out.append(FieldIssue("context[\(i)].role", "a system turn may only come first")) }
                case .user:
                    sawUser = true
                case .assistant:
                    if !sawUser { out.append(FieldIssue("context[\(i)].role", "an assistant turn before any user turn")) }
                case .tool:
                    let prev = i > 0 ? ctx[i - 1].role : nil
                    if prev != .assistant && prev != .tool {
                        out.append(FieldIssue("context[\(i)].role", "a tool turn must follow an assistant or tool turn"))
                    }
                }
            }
            if !sawUser { out.append(FieldIssue("context", "has no user turn")) }
            if let last = ctx.last, last.role != .user && last.role != .tool {
                out.append(FieldIssue("context[\(ctx.count - 1)].role", "the context must end with a user or tool turn, found \(last.role.rawValue)"))
            }
        }
        checkResponse(pair.chosen, "chosen", &out)
        checkResponse(pair.rejected, "rejected", &out)
        if ByteEquality.same(pair.chosen.content, pair.rejected.content) && ByteEquality.same(pair.chosen.reasoningContent, pair.rejected.reasoningContent) {
            out.append(FieldIssue("rejected", "is identical to chosen"))
        }
        var total = 0
        for (i, m) in ctx.enumerated() { total += checkText(m, "context[\(i)]", &out) }
        total += checkText(pair.chosen, "chosen", &out)
        total += checkText(pair.rejected, "rejected", &out)
        if total > limits.maxPairBytes {
            out.append(FieldIssue("(pair)", "\(total) bytes of text, more than the limit of \(limits.maxPairBytes)"))
        }
        if let m = pair.margin, !m.isFinite { out.append(FieldIssue("margin", "is not a finite number")) }
        return out
    }

    private func checkResponse(_ m: Message, _ field: String, _ out: inout [FieldIssue]) {
        if m.role != .assistant {
            out.append(FieldIssue("\(field).role", "must be assistant, found \(m.role.rawValue)"))
        }
        if PairValidator.isBlank(m.content) {
            out.append(FieldIssue("\(field).content", m.content.isEmpty ? "is empty" : "is only whitespace"))
        }
    }

    /// Returns the message's byte count after checking NULs and the per-message limit.
    private func checkText(_ m: Message, _ field: @autoclosure () -> String, _ out: inout [FieldIssue]) -> Int {
        var bytes = m.content.utf8.count
        if PairValidator.containsNUL(m.content) {
            out.append(FieldIssue("\(field()).content", "contains U+0000 (NUL), which the stores cannot hold; remove it"))
        }
        if let r = m.reasoningContent {
            bytes += r.utf8.count
            if PairValidator.containsNUL(r) {
                out.append(FieldIssue("\(field()).reasoning_content", "contains U+0000 (NUL), which the stores cannot hold; remove it"))
            }
        }
        if bytes > limits.maxMessageBytes {
            out.append(FieldIssue("\(field()).content", "\(bytes) bytes, more than the per-message limit of \(limits.maxMessageBytes)"))
        }
        return bytes
    }

    static func isBlank(_ s: String) -> Bool {
        // Fast path: text usually starts with a printable ASCII character (the Unicode
        // property lookup below is slow for a per-pair check).
        if let b = s.utf8.first, b > 0x20 && b < 0x80 { return false }
        for scalar in s.unicodeScalars where !scalar.properties.isWhitespace { return false }
        return true
    }

    static func containsNUL(_ s: String) -> Bool {
        var copy = s
        return copy.withUTF8 { buf in
            guard let base = buf.baseAddress, buf.count > 0 else { return false }
            return memchr(base, 0, buf.count) != nil
        }
    }
}
