import ArgumentParser
import Foundation
import Logging
import SynprefData
import SynprefModels
import SynprefServer

/// `synpref serve`: a scoring server that RLHF trainers, best-of-N samplers and evaluation
/// farms can call with the protocols they already speak.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a reward model over HTTP (vLLM, OpenRLHF, TEI and Synpref endpoints) and the annotation app.",
        discussion: """
            Endpoints: POST /pooling and /classify (vLLM: {"model", "messages"} or {"model", \
            "input"}; sigmoid of the reward unless "use_activation": false), GET /v1/models, \
            POST /get_reward (OpenRLHF's remote reward model: {"query": [templated text]} -> \
            {"rewards"}), POST /rerank (TEI: {"query", "texts"} -> best first), POST /v1/score \
            ({"inputs": [{"messages"} | {"input_ids"}]} -> raw rewards), GET /health, /info and \
            /metrics (Prometheus). Requests from all connections are packed into shared \
            forward passes of up to --max-batch-tokens tokens; beyond --max-queue tokens \
            waiting, requests get 429 with Retry-After. SIGTERM or SIGINT drains: requests in \
            flight finish, new ones get 503, then the server exits. The listener opens at once \
            and /health answers 503 until the model is loaded. docs/serving.md has examples \
            for OpenRLHF and vLLM-style clients.

            With --annotation --store URL the annotation app is served under /app (sign in at \
            http://HOST:PORT/app; create the first admin with `synpref users add NAME --role \
            admin --store URL`); --model is then optional. docs/annotation.md walks through it.
            """)

    @Option(help: "Checkpoint folder or Hugging Face repo id (optional with --annotation).")
    var model: String?

    @Flag(help: "Serve the annotation app under /app (needs --store).")
    var annotation = false

    @Option(help: "The store the annotation app works on: sqlite:PATH or postgres://...")
    var store: String?

    @Flag(name: .customLong("secure-cookies"), help: "Mark the app's cookies Secure (when a TLS reverse proxy serves it over HTTPS).")
    var secureCookies = false

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to listen on (0: any free port, printed at start).")
    var port: Int = 8000

    @Option(name: .customLong("served-model-name"), help: "The model name clients send (default: --model).")
    var servedModelName: String?

    @Option(name: .customLong("max-batch-tokens"), help: "Token budget of one packed forward pass (bounds activation memory).")
    var maxBatchTokens: Int = 4096

    @Option(name: .customLong("max-queue"), help: "Most tokens waiting to be scored; beyond, requests get 429.")
    var maxQueue: Int = ServerConfiguration.defaultMaxQueueTokens

    @Option(name: .customLong("max-length"), help: "Longest input in tokens, special tokens included.")
    var maxLength: Int = TextFrontEnd.Options.defaultMaxLength

    @Option(help: "Cut over-long inputs instead of answering 422: left keeps the end (the response), right keeps the start.")
    var truncate: TextFrontEnd.Truncation?

    @Option(name: .customLong("api-key-env"), help: "Name of an environment variable holding the API key clients must send as a bearer token.")
    var apiKeyEnv: String?

    @Option(name: .customLong("max-body-bytes"), help: "Largest request body in bytes (413 beyond).")
    var maxBodyBytes: Int = ServerConfiguration.defaultMaxBodyBytes

    @Option(help: "Worker threads for the model (default: all cores).")
    var threads: Int?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func validate() throws {
        if annotation && store == nil { throw ValidationError("--annotation needs --store URL (sqlite:PATH or postgres://...)") }
        if !annotation && store != nil { throw ValidationError("--store is for the annotation app: add --annotation") }
        if !annotation && model == nil { throw ValidationError("give --model (a checkpoint folder or Hugging Face repo id), or --annotation --store URL") }
        if port < 0 || port > 65535 { throw ValidationError("--port must be between 0 and 65535") }
        if maxBatchTokens < 1 { throw ValidationError("--max-batch-tokens must be at least 1") }
        if maxQueue < 1 { throw ValidationError("--max-queue must be at least 1") }
        if maxLength < 1 { throw ValidationError("--max-length must be at least 1") }
        if maxBodyBytes < 1 { throw ValidationError("--max-body-bytes must be at least 1") }
        if let t = threads, t < 1 { throw ValidationError("--threads must be at least 1") }
        if Logger.Level(rawValue: logLevel) == nil {
            throw ValidationError("--log-level \(logLevel): expected one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() async throws {
        var apiKey: String?
        if let name = apiKeyEnv {
            guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
                throw ValidationError("--api-key-env \(name): the environment variable \(name) is not set or empty; export it with the key clients will send")
            }
            apiKey = value
        }
        let level = Logger.Level(rawValue: logLevel) ?? .info
        let logger = {
            var l = Logger(label: "synpref.serve") { StreamLogHandler.standardError(label: $0) }
            l.logLevel = level
            return l
        }()
        let config = ServerConfiguration(
            host: host, port: port, servedModelName: servedModelName ?? model ?? "none", modelReference: model ?? "none",
            maxBatchTokens: maxBatchTokens, maxQueueTokens: maxQueue, maxBodyBytes: maxBodyBytes, apiKey: apiKey)
        var app: AnnotationApp?
        var opened: (any PreferenceStore)?
        if annotation, let url = store {
            let s = try await PreferenceStores.open(url)
            opened = s
            var options = AnnotationApp.Options()
            options.secureCookies = secureCookies
            app = AnnotationApp(store: s, options: options, logger: logger)
            if try await s.users().isEmpty {
                logger.warning("the store has no users yet: create an admin with `synpref users add NAME --role admin --store \(url)`")
            }
        }
        let server: ScoringServer
        if let reference = model {
            let (threads, batch) = (threads, maxBatchTokens)
            let options = TextFrontEnd.Options(maxLength: maxLength, truncation: truncate)
            server = ScoringServer(configuration: config, logger: logger, annotation: app) {
                try RewardModel.open(reference, threads: threads, maxBatchTokens: batch, frontEndOptions: options)
            }
        } else {
            server = ScoringServer(configuration: config, logger: logger, annotation: app!)
        }
        let (hasModel, hasApp) = (model != nil, app != nil)
        do {
            try await server.run { port in
                if hasModel { logger.info("listening on http://\(config.host):\(port) (model loading; /health is 503 until ready)") }
                if hasApp { logger.info("annotation app on http://\(config.host):\(port)/app") }
            }
        } catch {
            try? await opened?.close()
            throw error
        }
        try await opened?.close()
    }
}
