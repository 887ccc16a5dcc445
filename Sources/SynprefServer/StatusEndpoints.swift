import Foundation
import Hummingbird
import SynprefCore
import SynprefModels

/// `GET /health`, `GET /info`.
enum StatusEndpoints {
    /// 200 `{"status": "ready"}` when serving; 503 while the model loads or the server drains.
    static func health(_ state: ServerState) -> Response {
        let phase = state.phase
        return JSONResponse.make(["status": .string(phase.rawValue)], status: phase == .ready ? .ok : .serviceUnavailable)
    }

    /// The model and the server's limits.
    static func info(_ state: ServerState, _ configuration: ServerConfiguration) -> JSONValue {
        var o: JSONObject = [
            "model": .string(configuration.modelReference),
            "served_model_name": .string(configuration.servedModelName),
            "status": .string(state.phase.rawValue),
            "max_batch_tokens": .integer(configuration.maxBatchTokens),
            "max_queue_tokens": .integer(configuration.maxQueueTokens),
            "max_body_bytes": .integer(configuration.maxBodyBytes),
            "version": .string(SynprefVersion.string),
        ]
        if let model = state.model {
            let (architecture, dtype): (String, String?) = switch model.config {
            case .decoder(let c): (c.architecture.rawValue, c.dtype?.rawValue)
            case .bert(let c): (c.architecture.rawValue, c.dtype?.rawValue)
            }
            o["fingerprint"] = .string(model.fingerprint)
            o["architecture"] = .string(architecture)
            o["dtype"] = .string(dtype?.lowercased() ?? "unknown")
            o["compute_dtype"] = "f32"
            o["num_labels"] = .integer(model.numLabels)
            o["max_length"] = model.frontEnd?.options.maxLength.map { JSONValue.integer($0) } ?? .null
            o["truncation"] = model.frontEnd?.options.truncation.map { JSONValue.string($0.rawValue) } ?? .null
            o["threads"] = .integer(model.threads)
        }
        return .object(o)
    }

    /// The label vLLM reports for a one-label classifier: `id2label["0"]` of config.json,
    /// else transformers' default `LABEL_0`.
    static func label(directory: URL?) -> String {
        guard let directory,
              let data = try? Data(contentsOf: directory.appendingPathComponent("config.json")),
              let config = try? JSONParser.parse([UInt8](data)),
              let name = config["id2label"]?["0"]?.stringValue else { return "LABEL_0" }
        return name
    }
}
