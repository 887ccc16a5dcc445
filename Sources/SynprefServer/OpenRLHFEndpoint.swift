import SynprefCore
import SynprefModels

/// OpenRLHF's remote reward model (`openrlhf.cli.serve_rm`, `--remote_rm_url
/// http://host:port/get_reward`): `{"query": [str], "prompts"?: [str], "labels"?: [...]}`
/// → `{"rewards": [number], "scores": [number], "extra_logs": {}}`. Each query is the
/// trainer's already chat-templated text, tokenized as OpenRLHF's server does:
/// `tokenizer(texts, add_special_tokens=False, truncation=True, max_length=max_len)`, so
/// over-long queries are cut on the right at `--max-length` (the side `--truncate` names,
/// when given). `prompts` and `labels` are accepted and not used. Rewards are raw logits.
enum OpenRLHFEndpoint {
    static func job(_ f: RequestFields, service: ScoringService) throws -> ScoringJob {
        let queries = try f.strings("query")
        if let prompts = f["prompts"], prompts.arrayValue == nil {
            throw APIError.badRequest("prompts: expected a list, found \(prompts.kindName)")
        }
        let defaults = service.model.frontEnd?.options ?? TextFrontEnd.Options()
        let options = TextFrontEnd.Options(maxLength: defaults.maxLength, truncation: defaults.truncation ?? .right)
        let inputs = try queries.enumerated().map { i, q in
            try ScoringRoute.prepare("query[\(i)]") { try service.prepare(text: q, addSpecialTokens: false, options: options) }
        }
        return ScoringJob(inputs: inputs) { scores in
            let values = JSONValue.array(scores.map(JSONResponse.number))
            return ["rewards": values, "scores": values, "extra_logs": .object(JSONObject())]
        }
    }
}
