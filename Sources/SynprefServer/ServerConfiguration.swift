import SynprefModels

/// What `synpref serve` was started with (the command's flags, resolved).
public struct ServerConfiguration: Sendable {
    public var host: String
    /// 0 asks the system for a free port (`ScoringServer.onListening` reports it).
    public var port: Int
    /// The name clients pass as `"model"` (vLLM's `--served-model-name`); a request naming
    /// another model is refused with 404, as vLLM does. Requests may leave it out.
    public var servedModelName: String
    /// The model reference given on the command line (for `/info`).
    public var modelReference: String
    /// Token budget of one packed forward pass.
    public var maxBatchTokens: Int
    /// Most tokens admitted and not yet scored; a request that would go beyond gets 429.
    public var maxQueueTokens: Int
    /// Largest request body in bytes (413 beyond).
    public var maxBodyBytes: Int
    /// Longest time a queued request waits for others to share its forward pass.
    public var maxWait: Duration
    /// The bearer token every route but `/health` and `/metrics` requires; nil: none.
    public var apiKey: String?
    /// Seconds a drain waits for in-flight requests before the server stops anyway.
    public var drainTimeout: Double

    public static let defaultMaxQueueTokens = 262_144
    public static let defaultMaxBodyBytes = 32 << 20

    public init(host: String = "127.0.0.1", port: Int = 8000, servedModelName: String, modelReference: String,
                maxBatchTokens: Int = 4096, maxQueueTokens: Int = ServerConfiguration.defaultMaxQueueTokens,
                maxBodyBytes: Int = ServerConfiguration.defaultMaxBodyBytes, maxWait: Duration = .milliseconds(2),
                apiKey: String? = nil, drainTimeout: Double = 60) {
        self.host = host
        self.port = port
        self.servedModelName = servedModelName
        self.modelReference = modelReference
        self.maxBatchTokens = maxBatchTokens
        self.maxQueueTokens = maxQueueTokens
        self.maxBodyBytes = maxBodyBytes
        self.maxWait = maxWait
        self.apiKey = apiKey
        self.drainTimeout = drainTimeout
    }
}
