import SynprefCore

/// A malformed line in a `synpref tokenize` input file.
public struct JSONLinesInputError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var line: Int
    public var message: String

    public var description: String {
        "\(file):\(line): \(message). Each line must be {\"id\": ..., \"text\": \"...\", \"add_special_tokens\": true|false (optional)}."
    }
}

/// The `synpref tokenize` contract: JSON lines `{"id", "text", "add_special_tokens"?}` in,
/// `{"id", "input_ids"}` out, in input order. `id` is echoed as given (string or number).
public enum JSONLinesTokenization {
    /// Tokenizes every line of `input`, handing each output line (without newline) to
    /// `write`. Blank lines are skipped. Stops at the first malformed line.
    /// Returns the number of lines written.
    @discardableResult
    public static func run(tokenizer: Tokenizer, input: LineReader, write: (String) throws -> Void) throws -> Int {
        var written = 0
        while let (number, bytes) = try input.nextLine() {
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            let (id, text, addSpecial) = try parse(bytes, file: input.path, line: number)
            let ids = tokenizer.encodeIDs(text, addSpecialTokens: addSpecial)
            var out = "{\"id\":"
            id.serialize(into: &out)
            out += ",\"input_ids\":["
            for (i, v) in ids.enumerated() {
                if i > 0 { out += "," }
                out += String(v)
            }
            out += "]}"
            try write(out)
            written += 1
        }
        return written
    }

    static func parse(_ bytes: [UInt8], file: String, line: Int) throws(JSONLinesInputError) -> (JSONValue, String, Bool) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw JSONLinesInputError(file: file, line: line, message: "invalid JSON at column \(error.column): \(error.message)")
        }
        guard case .object = value else { throw JSONLinesInputError(file: file, line: line, message: "expected a JSON object, found \(value.typeName)") }
        guard let id = value["id"] else { throw JSONLinesInputError(file: file, line: line, message: "missing \"id\"") }
        switch id {
        case .string, .number: break
        default: throw JSONLinesInputError(file: file, line: line, message: "\"id\" must be a string or a number, found \(id.typeName)")
        }
        guard let textValue = value["text"] else { throw JSONLinesInputError(file: file, line: line, message: "missing \"text\"") }
        guard let text = textValue.stringValue else { throw JSONLinesInputError(file: file, line: line, message: "\"text\" must be a string, found \(textValue.typeName)") }
        var addSpecial = true
        if let flag = value["add_special_tokens"], !flag.isNull {
            guard let b = flag.boolValue else {
                throw JSONLinesInputError(file: file, line: line, message: "\"add_special_tokens\" must be true or false, found \(flag.typeName)")
            }
            addSpecial = b
        }
        return (id, text, addSpecial)
    }
}
