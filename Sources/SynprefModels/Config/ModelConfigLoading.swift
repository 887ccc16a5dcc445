import Foundation
import SynprefCore
import SynprefTensor

extension ModelConfig {
    /// Reads `config.json`: `url` is the file itself or the checkpoint folder holding it.
    /// `architecture` forces the head, as transformers' `AutoModelForSequenceClassification`
    /// does when it loads a base checkpoint (e.g. `Qwen3ForCausalLM` → a Qwen3 classifier):
    /// the config's `model_type` must then belong to the same family.
    public static func load(from url: URL, as architecture: ArchitectureKind? = nil) throws(ConfigError) -> ModelConfig {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
        let file = exists && isDirectory.boolValue ? url.appendingPathComponent("config.json") : url
        let data: Data
        do { data = try Data(contentsOf: file) } catch {
            throw .unreadable(file: file.path, reason: error.localizedDescription)
        }
        return try ModelConfig(json: data, file: file.path, as: architecture)
    }

    /// Parses the contents of a `config.json`; `file` names it in errors. Accepts both the
    /// transformers-4 layout (`torch_dtype`, top-level `rope_theta`, `rope_scaling`) and the
    /// transformers-5 layout (`dtype`, `rope_parameters`), with transformers 5.24's defaults.
    /// `architecture` forces the head (see `load(from:as:)`).
    public init(json: Data, file: String, as architecture: ArchitectureKind? = nil) throws(ConfigError) {
        let value: JSONValue
        do { value = try JSONParser.parse([UInt8](json)) } catch {
            throw .invalidJSON(file: file, detail: error.description)
        }
        guard case .object(let object) = value else { throw .notAnObject(file: file, found: value.kindDescription) }
        let fields = ConfigFields(object: object, file: file)
        let architecture = try ModelConfig.architecture(fields, requested: architecture)
        switch architecture {
        case .qwen3ForSequenceClassification, .llamaForSequenceClassification:
            self = .decoder(try DecoderConfig(fields: fields, architecture: architecture))
        case .bertForSequenceClassification, .bertModel:
            self = .bert(try BertConfig(fields: fields, architecture: architecture))
        }
    }

    /// The architecture the config selects.
    public var architecture: ArchitectureKind {
        switch self {
        case .decoder(let config): return config.architecture
        case .bert(let config): return config.architecture
        }
    }

    /// The `model_type` transformers maps each architecture's config class from.
    static func modelType(of architecture: ArchitectureKind) -> String {
        switch architecture {
        case .qwen3ForSequenceClassification: return "qwen3"
        case .llamaForSequenceClassification: return "llama"
        case .bertForSequenceClassification, .bertModel: return "bert"
        }
    }

    /// Architecture names of the supported families, for configs without `model_type`.
    static let familyOfArchitectureName: [String: String] = [
        "Qwen3ForCausalLM": "qwen3", "Qwen3Model": "qwen3", "Qwen3ForSequenceClassification": "qwen3",
        "LlamaForCausalLM": "llama", "LlamaModel": "llama", "LlamaForSequenceClassification": "llama",
        "BertModel": "bert", "BertForSequenceClassification": "bert", "BertForMaskedLM": "bert",
        "BertForPreTraining": "bert",
    ]

    /// `architectures[0]`, or the requested architecture, checked against `model_type`
    /// (which is what transformers' Auto classes actually dispatch on).
    private static func architecture(
        _ fields: ConfigFields, requested: ArchitectureKind?
    ) throws(ConfigError) -> ArchitectureKind {
        let supported = ArchitectureKind.allCases.map(\.rawValue)
        var name: String?
        if let value = fields["architectures"], !value.isNull {
            guard let list = value.arrayValue, let first = list.first else {
                throw fields.wrongType("architectures", expected: "a non-empty array of architecture names", value)
            }
            guard let string = first.stringValue else {
                throw .wrongType(file: fields.file, field: "architectures[0]", expected: "a string", found: ConfigFields.describe(first))
            }
            name = string
        }
        let declaredType = try fields.optionalString("model_type")
        let architecture: ArchitectureKind
        if let requested {
            architecture = requested
            guard let family = declaredType ?? name.flatMap({ familyOfArchitectureName[$0] }) else {
                throw .missingField(file: fields.file, field: "model_type")
            }
            guard family == modelType(of: requested) else {
                throw .unsupported(
                    file: fields.file, field: "model_type", value: "\"\(family)\" loaded as \(requested.rawValue)",
                    supported: ["\(modelType(of: requested)) (the family of \(requested.rawValue))"])
            }
            return architecture
        }
        guard let name else { throw .missingField(file: fields.file, field: "architectures") }
        guard let known = ArchitectureKind(rawValue: name) else {
            throw .unsupportedArchitecture(file: fields.file, architecture: name, supported: supported)
        }
        architecture = known
        if let declaredType, declaredType != modelType(of: architecture) {
            throw .unsupported(
                file: fields.file, field: "model_type", value: "\"\(declaredType)\" with architecture \(name)",
                supported: ArchitectureKind.allCases.map { "\(modelType(of: $0)) (\($0.rawValue))" })
        }
        return architecture
    }

    /// The number of labels as transformers' `PreTrainedConfig` settles it: an explicit
    /// `num_labels` wins (it rebuilds `id2label`), else the size of `id2label`, else 2.
    static func numLabels(_ fields: ConfigFields) throws(ConfigError) -> Int {
        var labels = 2
        if let value = fields["id2label"], !value.isNull {
            guard case .object(let map) = value else {
                throw fields.wrongType("id2label", expected: "an object of label names", value)
            }
            for key in map.keys where Int(key) == nil {
                throw .invalidValue(file: fields.file, field: "id2label", value: "\"\(key)\"", reason: "keys must be integers")
            }
            labels = map.count
        }
        if fields.has("num_labels") {
            labels = try fields.int("num_labels", default: labels)
        }
        guard labels >= 1 else {
            throw .invalidValue(file: fields.file, field: "num_labels", value: "\(labels)", reason: "a classifier needs at least 1 label")
        }
        return labels
    }

    /// `dtype` (transformers 5) or `torch_dtype` (transformers 4); `dtype` wins when both are set.
    static func dtype(_ fields: ConfigFields) throws(ConfigError) -> DType? {
        let key = try fields.optionalString("dtype") != nil ? "dtype" : "torch_dtype"
        guard let name = try fields.optionalString(key) else { return nil }
        switch name {
        case "float32", "float": return .float32
        case "bfloat16": return .bfloat16
        case "float16", "half": return .float16
        default:
            throw .unsupported(file: fields.file, field: key, value: "\"\(name)\"", supported: ["float32", "bfloat16", "float16"])
        }
    }

    /// Throws unless `value` > 0.
    static func requirePositive(_ value: Int, _ field: String, _ fields: ConfigFields) throws(ConfigError) {
        if value <= 0 {
            throw .invalidValue(file: fields.file, field: field, value: "\(value)", reason: "must be positive")
        }
    }
}
