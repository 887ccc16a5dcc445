/// Why a model reference (local folder or Hugging Face repo id) cannot be resolved.
public enum HubError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A path-like reference names no folder.
    case localFolderNotFound(path: String)
    /// A local folder lacks files a model needs.
    case notAModelFolder(path: String, missing: [String])
    /// The reference is neither an existing folder nor a valid `org/name[@revision]`.
    case invalidReference(reference: String, reason: String)
    /// `HF_HUB_OFFLINE` is set (or the Hub is unreachable) and the cache lacks files.
    case offlineFilesMissing(repository: String, revision: String, cache: String, missing: [String], reason: String)
    /// 401/403 from the Hub: private, gated, or a token without access.
    case accessDenied(repository: String, status: Int, gated: Bool, tokenSent: Bool, endpoint: String)
    case repositoryNotFound(repository: String, endpoint: String)
    case revisionNotFound(repository: String, revision: String)
    case fileNotFound(repository: String, revision: String, file: String)
    /// The repository has no safetensors weights (`model.safetensors` or its index).
    case noSafetensors(repository: String, revision: String)
    /// Any other HTTP status.
    case httpStatus(url: String, status: Int)
    /// The request failed below HTTP (connection refused, reset, timeout, TLS, ...).
    case network(url: String, reason: String)
    /// The server's answer lacks something the download needs, or the bytes are wrong.
    case invalidResponse(url: String, reason: String)
    /// A downloaded file's SHA-256 differs from the Hub's (LFS) ETag.
    case checksumMismatch(file: String, expected: String, actual: String)
    /// A cache file or folder could not be written or read.
    case cache(path: String, reason: String)
    /// Not `hf://datasets/org/name[@revision]` (or `org/name[@revision]` where a dataset is expected).
    case invalidDatasetReference(reference: String, reason: String)
    /// The dataset has no such split (in the chosen configuration).
    case splitNotFound(repository: String, revision: String, split: String, available: [String])
    /// The dataset card's `configs` cannot be used as asked (unknown or missing config name,
    /// unreadable YAML, bad pattern).
    case datasetConfig(repository: String, revision: String, reason: String)
    /// The split's files are in formats Synpref does not read.
    case unreadableDataFiles(repository: String, split: String, files: [String])

    public var description: String {
        switch self {
        case .localFolderNotFound(let path):
            return "\(path): no such folder (a model is a local folder with config.json, or a Hugging Face repo id like org/name)"
        case .notAModelFolder(let path, let missing):
            return "\(path): not a model folder: missing \(missing.joined(separator: ", "))"
        case .invalidReference(let reference, let reason):
            return "\"\(reference)\" is not a model reference: \(reason) (use a local folder with config.json or "
                + "a Hugging Face repo id org/name[@revision])"
        case .offlineFilesMissing(let repository, let revision, let cache, let missing, let reason):
            return "\(repository)@\(revision): \(reason), and the Hugging Face cache (\(cache)) lacks "
                + missing.joined(separator: ", ")
                + "; download it once online (unset HF_HUB_OFFLINE) or copy the files into the cache"
        case .accessDenied(let repository, let status, let gated, let tokenSent, let endpoint):
            let page = "\(endpoint)/\(repository)"
            if gated {
                return tokenSent
                    ? "\(repository): gated repository (HTTP \(status)) and the token in HF_TOKEN has no access; "
                        + "request access at \(page)"
                    : "\(repository): gated repository (HTTP \(status)); accept its conditions at \(page) and set "
                        + "HF_TOKEN to a token of that account"
            }
            return tokenSent
                ? "\(repository): access denied (HTTP \(status)) with the token in HF_TOKEN; check the token and "
                    + "that it can read \(page)"
                : "\(repository): access denied (HTTP \(status)); the repository is private or gated, or does not "
                    + "exist; set HF_TOKEN to a token that can read \(page)"
        case .repositoryNotFound(let repository, let endpoint):
            return "\(repository): repository not found on \(endpoint) (and no local folder of that name exists); "
                + "check the name, or set HF_TOKEN if it is private"
        case .revisionNotFound(let repository, let revision):
            return "\(repository): revision \"\(revision)\" not found (use a branch, tag or commit of the repository)"
        case .fileNotFound(let repository, let revision, let file):
            return "\(repository)@\(revision): file \(file) not found in the repository"
        case .noSafetensors(let repository, let revision):
            return "\(repository)@\(revision): no model.safetensors or model.safetensors.index.json; only safetensors "
                + "checkpoints are supported"
        case .httpStatus(let url, let status):
            return "\(url): HTTP \(status)"
        case .network(let url, let reason):
            return "\(url): \(reason); check the network, or set HF_HUB_OFFLINE=1 to use the cache only"
        case .invalidResponse(let url, let reason):
            return "\(url): unexpected response: \(reason)"
        case .checksumMismatch(let file, let expected, let actual):
            return "\(file): downloaded bytes have SHA-256 \(actual), the Hub says \(expected); the partial download "
                + "was removed, try again"
        case .cache(let path, let reason):
            return "\(path): cannot use the Hugging Face cache: \(reason)"
        case .invalidDatasetReference(let reference, let reason):
            return "\"\(reference)\" is not a dataset reference: \(reason) (use hf://datasets/org/name[@revision], "
                + "e.g. hf://datasets/allenai/reward-bench-2)"
        case .splitNotFound(let repository, let revision, let split, let available):
            if available.isEmpty {
                return "\(repository)@\(revision): no data files (no Parquet, JSON or JSON Lines files outside hidden folders)"
            }
            if split.isEmpty {
                return "\(repository)@\(revision): the dataset has the splits \(available.joined(separator: ", ")) and none is train; "
                    + "choose one with --split"
            }
            return "\(repository)@\(revision): no split \"\(split)\"; the dataset has \(available.joined(separator: ", ")) "
                    + "(choose one with --split)"
        case .datasetConfig(let repository, let revision, let reason):
            return "\(repository)@\(revision): \(reason)"
        case .unreadableDataFiles(let repository, let split, let files):
            let shown = files.prefix(3).joined(separator: ", ") + (files.count > 3 ? ", …" : "")
            return "\(repository): split \(split) is stored as \(shown); Synpref reads Parquet, JSON Lines and JSON "
                + "(gzip allowed): convert the files, or choose another split or config"
        }
    }
}
