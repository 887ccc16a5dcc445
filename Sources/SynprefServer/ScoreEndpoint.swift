import SynprefCore
import SynprefModels

/// Synpref's own scoring endpoint: `POST /v1/score` `{"inputs": [{"messages": [...]} |
/// {"input_ids": [int], "token_type_ids"?: [int]}], "truncate"?: "left" | "right"}` →
/// `{"scores": [number], "usage": {"prompt_tokens": n}}`. Conversations are read exactly as
/// `synpref score` reads them; scores are the raw Bradley-Terry logits. `truncate`
/// overrides the server's `--truncate` for this request.
enum ScoreEndpoint {
    static func job(_ f: RequestFields, service: ScoringService) throws -> ScoringJob {
        guard let list = f["inputs"] else {
            throw APIError.badRequest("inputs: missing; expected a list of {\"messages\": [...]} or {\"input_ids\": [int]}")
        }
        guard case .array(let items) = list, !items.isEmpty else {
            throw APIError.badRequest("inputs: expected a non-empty list of {\"messages\": [...]} or {\"input_ids\": [int]}")
        }
        let defaults = service.model.frontEnd?.options ?? TextFrontEnd.Options()
        var options = defaults
        if let side = try f.string("truncate") {
            guard let t = TextFrontEnd.Truncation(rawValue: side) else {
                throw APIError.badRequest("truncate: \"\(side)\"; expected \"left\" (keep the end) or \"right\" (keep the start)")
            }
            options.truncation = t
        }
        let inputs = try items.enumerated().map { i, item -> ModelInput in
            let field = "inputs[\(i)]"
            guard case .object(let o) = item else {
                throw APIError.badRequest("\(field): expected an object with \"messages\" or \"input_ids\", found \(item.kindName)")
            }
            let fields = RequestFields(object: o)
            switch (fields["messages"], fields["input_ids"]) {
            case (.some(let m), nil):
                let conversation = try ScoringRoute.messages(m, field: "\(field).messages")
                return try ScoringRoute.prepare(field) {
                    try service.prepare(conversation, options: options)
                }
            case (nil, .some(let ids)):
                let tokens = try RequestFields.tokenIDs(ids, field: "\(field).input_ids")
                let types = try fields["token_type_ids"].map { try RequestFields.tokenIDs($0, field: "\(field).token_type_ids") }
                return try ScoringRoute.tokens(tokens, typeIDs: types, options: options, service: service, item: field)
            case (.some, .some):
                throw APIError.badRequest("\(field): give \"messages\" or \"input_ids\", not both")
            case (nil, nil):
                throw APIError.badRequest("\(field): missing \"messages\" or \"input_ids\"")
            }
        }
        let count = inputs.reduce(0) { $0 + $1.ids.count }
        return ScoringJob(inputs: inputs) { scores in
            ["scores": .array(scores.map(JSONResponse.number)), "usage": ["prompt_tokens": .integer(count)]]
        }
    }
}
