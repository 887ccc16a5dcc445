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
            if LineReader.isBlank(bytes) { continue }
            let (id, text, addSpecial) = try parse(bytes, file: input.path, line: number)
            let ids = tokenizer.encodeIDs(text, addSpecialTokens: addSpecial)
            var out: [UInt8] = Array("{\"id\":".utf8)
            JSONWriter.append(id, to: &out)
            out.append(contentsOf: ",\"input_ids\":[".utf8)
            for (i, v) in ids.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSONWriter.appendInteger(Int(v), to: &out)
            }
            out.append(contentsOf: "]}".utf8)
            try write(String(decoding: out, as: UTF8.self))
            written += 1
        }
        return written
    }

    static func parse(_ bytes: [UInt8], file: String, line: Int) throws(JSONLinesInputError) -> (JSONValue, String, Bool) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw JSONLinesInputError(file: file, line: line, message: "invalid JSON at column \(error.column): \(error.reasonDescription)")
        }
        guard case .object = value else { throw JSONLinesInputError(file: file, line: line, message: "expected a JSON object, found \(value.kindName)") }
        guard let id = value["id"] else { throw JSONLinesInputError(file: file, line: line, message: "missing \"id\"") }
        switch id {
        case .string, .integer, .double: break
        default: throw JSONLinesInputError(file: file, line: line, message: "\"id\" must be a string or a number, found \(id.kindName)")
        }
        guard let textValue = value["text"] else { throw JSONLinesInputError(file: file, line: line, message: "missing \"text\"") }
        guard let text = textValue.stringValue else { throw JSONLinesInputError(file: file, line: line, message: "\"text\" must be a string, found \(textValue.kindName)") }
        var addSpecial = true
        if let flag = value["add_special_tokens"], !flag.isNull {
            guard let b = flag.boolValue else {
                throw JSONLinesInputError(file: file, line: line, message: "\"add_special_tokens\" must be true or false, found \(flag.kindName)")
            }
            addSpecial = b
        }
        return (id, text, addSpecial)
    }
}
