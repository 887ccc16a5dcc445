import Foundation
import Hummingbird
import SynprefCore
import SynprefModels

/// vLLM's pooling API for a reward model (a one-label sequence classifier), following
/// vLLM 0.18's OpenAI-compatible server:
///
/// - `POST /pooling` and `POST /classify` take `{"model"?, "messages": [...]}` (one
///   conversation, rendered as `synpref score` renders it) or `{"model"?, "input": str |
///   [str] | [int] | [[int]]}` (text tokenized as it is, with the tokenizer's special tokens
///   unless `"add_special_tokens": false`; token ids used as given).
/// - `truncate_prompt_tokens`: k keeps the last k tokens, -1 the last `--max-length`
///   (vLLM truncates on the left); absent: the server's `--max-length` / `--truncate`.
/// - `use_activation` (default true; `activation` and `softmax` are its deprecated
///   names): vLLM's classifier pooler applies a sigmoid to a one-label head, so by default
///   both endpoints answer `sigmoid(logit)`; with `false` they answer the raw
///   Bradley-Terry logit, exactly `synpref score`'s number.
/// - `/pooling` answers `data: [{"index", "object": "pooling", "data": [value]}]`,
///   `/classify` answers `data: [{"index", "label", "probs": [value], "num_classes": 1}]`
///   (the label is `id2label[0]` of config.json, as vLLM takes the argmax's label).
/// - A `"model"` other than the served name is 404, as in vLLM.
enum VLLMEndpoints {
    enum Kind: Sendable { case pooling, classify }

    static func job(_ f: RequestFields, kind: Kind, service: ScoringService, configuration: ServerConfiguration,
                    label: String) throws -> ScoringJob {
        try checkModel(f, configuration)
        let defaults = service.model.frontEnd?.options ?? TextFrontEnd.Options()
        var options = defaults
        if let k = try f.int("truncate_prompt_tokens") {
            let limit = defaults.maxLength ?? Int.max
            switch k {
            case -1: options = TextFrontEnd.Options(maxLength: limit, truncation: .left)
            case 1...:
                guard k <= limit else {
                    throw APIError.badRequest("truncate_prompt_tokens: \(k) is greater than the maximum length \(limit) (--max-length)")
                }
                options = TextFrontEnd.Options(maxLength: k, truncation: .left)
            default:
                throw APIError.badRequest("truncate_prompt_tokens: \(k); give -1 (truncate to the maximum length) or a positive number of tokens to keep")
            }
        }
        let activation = try f.bool("use_activation") ?? f.bool("activation") ?? f.bool("softmax") ?? true
        var inputs: [ModelInput] = []
        switch (f["messages"], f["input"]) {
        case (.some, .some):
            throw APIError.badRequest("give either \"messages\" (one conversation) or \"input\" (texts or token ids), not both")
        case (nil, nil):
            throw APIError.badRequest("missing \"messages\" (one conversation) or \"input\" (a string, a list of strings, token ids or a list of token-id lists)")
        case (.some(let value), nil):
            let conversation = try ScoringRoute.messages(value, field: "messages")
            inputs = [try ScoringRoute.prepare("messages") {
                try service.prepare(conversation, options: options)
            }]
        case (nil, .some(let value)):
            let special = try f.bool("add_special_tokens") ?? true
            inputs = try self.inputs(value, special: special, options: options, service: service)
        }
        let served = configuration.servedModelName
        let count = inputs.reduce(0) { $0 + $1.ids.count }
        return ScoringJob(inputs: inputs) { scores in
            let values = scores.map { activation ? ScoringRoute.sigmoid($0) : $0 }
            let data: [JSONValue] = values.enumerated().map { i, v in
                switch kind {
                case .pooling:
                    return ["index": .integer(i), "object": "pooling", "data": [JSONResponse.number(v)]]
                case .classify:
                    return ["index": .integer(i), "label": .string(label), "probs": [JSONResponse.number(v)], "num_classes": 1]
                }
            }
            let prefix = kind == .pooling ? "pool" : "classify"
            return [
                "id": .string("\(prefix)-\(requestID())"), "object": "list",
                "created": .integer(Int(Date().timeIntervalSince1970)), "model": .string(served),
                "data": .array(data),
                "usage": ["prompt_tokens": .integer(count), "total_tokens": .integer(count), "completion_tokens": 0,
                          "prompt_tokens_details": nil],
            ]
        }
    }

    /// `input`: a string, a list of strings, a list of token ids or a list of such lists.
    static func inputs(_ value: JSONValue, special: Bool, options: TextFrontEnd.Options,
                       service: ScoringService) throws -> [ModelInput] {
        func text(_ s: String, _ item: String) throws -> ModelInput {
            try ScoringRoute.prepare(item) { try service.prepare(text: s, addSpecialTokens: special, options: options) }
        }
        switch value {
        case .string(let s):
            return [try text(s, "input")]
        case .array(let items):
            guard let first = items.first else {
                throw APIError.badRequest("input: is empty; give a string, a list of strings or token ids")
            }
            switch first {
            case .string:
                return try items.enumerated().map { i, item in
                    guard case .string(let s) = item else {
                        throw APIError.badRequest("input[\(i)]: expected a string like input[0], found \(item.kindName)")
                    }
                    return try text(s, "input[\(i)]")
                }
            case .integer:
                let ids = try RequestFields.tokenIDs(value, field: "input")
                return [try ScoringRoute.tokens(ids, options: options, service: service, item: "input")]
            case .array:
                return try items.enumerated().map { i, item in
                    let ids = try RequestFields.tokenIDs(item, field: "input[\(i)]")
                    return try ScoringRoute.tokens(ids, options: options, service: service, item: "input[\(i)]")
                }
            default:
                throw APIError.badRequest("input[0]: expected a string, a token id or a list of token ids, found \(first.kindName)")
            }
        default:
            throw APIError.badRequest("input: expected a string, a list of strings, token ids or a list of token-id lists, found \(value.kindName)")
        }
    }

    static func checkModel(_ f: RequestFields, _ configuration: ServerConfiguration) throws {
        if let name = try f.string("model"), name != configuration.servedModelName {
            throw APIError(.notFound, "The model `\(name)` does not exist. This server serves `\(configuration.servedModelName)`.")
        }
    }

    /// `GET /v1/models`: the one served model, as vLLM lists it.
    static func models(_ configuration: ServerConfiguration, created: Int, maxLength: Int?) -> JSONValue {
        [
            "object": "list",
            "data": [[
                "id": .string(configuration.servedModelName), "object": "model", "created": .integer(created),
                "owned_by": "synpref", "root": .string(configuration.modelReference), "parent": nil,
                "max_model_len": maxLength.map { JSONValue.integer($0) } ?? .null,
            ]],
        ]
    }

    /// 32 hex digits, as vLLM's `random_uuid()`.
    static func requestID() -> String {
        UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }
}
