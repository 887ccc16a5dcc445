import SynprefCore
import SynprefModels

/// Best-of-N reranking in the shape of Hugging Face TEI's `/rerank`: `{"query": str,
/// "texts": [str], "raw_scores"?: bool, "return_text"?: bool, "truncate"?: bool,
/// "truncation_direction"?: "Left" | "Right"}` → `[{"index", "score", "text"?}]`, best
/// first (ties keep input order). Each text's score is the reward of the conversation
/// user = query, assistant = text: `sigmoid(logit)` as TEI reports a one-label
/// classifier, or the raw logit with `raw_scores`. Over-long pairs are 422 unless
/// `truncate` is true (then cut on `truncation_direction`, default Right as in TEI) or the
/// server has `--truncate`.
enum RerankEndpoint {
    static func job(_ f: RequestFields, service: ScoringService) throws -> ScoringJob {
        let query = try f.requiredString("query")
        let texts = try f.strings("texts")
        let raw = try f.bool("raw_scores") ?? false
        let returnText = try f.bool("return_text") ?? false
        let defaults = service.model.frontEnd?.options ?? TextFrontEnd.Options()
        var options = defaults
        if try f.bool("truncate") == true {
            let side: TextFrontEnd.Truncation
            switch try f.string("truncation_direction") ?? "Right" {
            case "Right", "right": side = .right
            case "Left", "left": side = .left
            case let other: throw APIError.badRequest("truncation_direction: \"\(other)\"; expected \"Left\" or \"Right\"")
            }
            options.truncation = side
        }
        let inputs = try texts.enumerated().map { i, text in
            let conversation = [ChatMessage(role: .user, content: query), ChatMessage(role: .assistant, content: text)]
            return try ScoringRoute.prepare("texts[\(i)]") {
                try service.prepare(conversation, options: options)
            }
        }
        return ScoringJob(inputs: inputs) { scores in
            let ranked = scores.enumerated().sorted { a, b in a.element != b.element ? a.element > b.element : a.offset < b.offset }
            return .array(ranked.map { i, s in
                var o: JSONObject = ["index": .integer(i), "score": JSONResponse.number(raw ? s : ScoringRoute.sigmoid(s))]
                if returnText { o["text"] = .string(texts[i]) }
                return .object(o)
            })
        }
    }
}
