import Foundation
import SynprefCore
import SynprefModels
import SynprefTensor

/// Saves a trained model in the Hugging Face layout `AutoModelForSequenceClassification`
/// loads: the source `config.json` with the classifier architecture and one label,
/// `model.safetensors` in each tensor's original dtype (LoRA merged), and the source's
/// tokenizer files.
public enum HFCheckpoint {
    /// Tokenizer and template files copied next to the weights when the source has them.
    public static let tokenizerFiles = [
        "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json",
        "vocab.txt", "vocab.json", "merges.txt", "tokenizer.model", "chat_template.jinja", "chat_template.json",
    ]

    public static func write(_ model: any TrainableRewardModel, to directory: URL, source: URL) throws {
        let fm = FileManager.default
        do { try fm.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
            throw TrainingError.checkpoint(directory: directory.path, reason: error.localizedDescription)
        }
        try writeConfig(model.config, from: source.appendingPathComponent("config.json"), to: directory.appendingPathComponent("config.json"))
        do {
            try SafetensorsWriter.write(model.exportedTensors(), to: directory.appendingPathComponent("model.safetensors"))
        } catch {
            throw TrainingError.checkpoint(directory: directory.path, reason: "\(error)")
        }
        for name in tokenizerFiles {
            let from = source.appendingPathComponent(name), to = directory.appendingPathComponent(name)
            guard fm.fileExists(atPath: from.path), from.standardizedFileURL != to.standardizedFileURL else { continue }
            do {
                if fm.fileExists(atPath: to.path) { try fm.removeItem(at: to) }
                try fm.copyItem(at: from, to: to)
            } catch {
                throw TrainingError.checkpoint(directory: directory.path, reason: "copying \(name): \(error.localizedDescription)")
            }
        }
    }

    /// The source config with `architectures` set to the classifier and a single label
    /// (`id2label`, `label2id`); every other field is kept as it was.
    static func writeConfig(_ config: ModelConfig, from source: URL, to destination: URL) throws {
        var object = JSONObject()
        if let data = try? Data(contentsOf: source), let parsed = try? JSONParser.parse([UInt8](data)), let o = parsed.objectValue {
            object = o
        }
        object["architectures"] = .array([.string(config.architecture.rawValue)])
        object["id2label"] = .object(JSONObject([("0", .string("LABEL_0"))]))
        object["label2id"] = .object(JSONObject([("LABEL_0", .integer(0))]))
        if object["num_labels"] != nil { object["num_labels"] = .integer(1) }
        if case .bert = config, object["model_type"] == nil { object["model_type"] = .string("bert") }
        let text = JSONValue.object(object).serialized() + "\n"
        do { try Data(text.utf8).write(to: destination, options: .atomic) } catch {
            throw TrainingError.checkpoint(directory: destination.deletingLastPathComponent().path, reason: error.localizedDescription)
        }
    }
}
