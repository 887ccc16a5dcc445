import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import SynprefCore
import SynprefModels
import UnixSignals

/// `synpref serve`: the scoring endpoints of vLLM (`/pooling`, `/classify`, `/v1/models`),
/// OpenRLHF (`/get_reward`), TEI (`/rerank`) and Synpref (`/v1/score`), plus `/health`,
/// `/info` and `/metrics`, all on one `ScoringService`.
///
/// The server listens at once; the model loads in the background (`/health` says 503
/// until it is ready). On SIGTERM or SIGINT (or `drain()`) it drains: scoring requests in
/// flight finish, new ones get 503, and once none is in flight (or `drainTimeout` passed)
/// the listener closes and `run()` returns.
public final class ScoringServer: Sendable {
    public let configuration: ServerConfiguration
    let state: ServerState
    let metrics = ServerMetrics()
    let logger: Logger
    private let load: (@Sendable () throws -> RewardModel)?
    private let annotation: AnnotationApp?
    private let shutdownSignal: AsyncStream<Void>
    private let shutdownTrigger: AsyncStream<Void>.Continuation

    /// `load` opens the model (it runs on a thread of its own after the server listens);
    /// `annotation` adds the annotation app's pages under `/app`.
    public init(configuration: ServerConfiguration, logger: Logger = Logger(label: "synpref.serve"), annotation: AnnotationApp? = nil,
                load: @escaping @Sendable () throws -> RewardModel) {
        self.configuration = configuration
        self.state = ServerState(maxQueueTokens: configuration.maxQueueTokens)
        self.logger = logger
        self.load = load
        self.annotation = annotation
        (shutdownSignal, shutdownTrigger) = AsyncStream<Void>.makeStream()
    }

    /// A server without a reward model: the annotation app only (the scoring routes are
    /// not mounted; `/health` is 200 once listening).
    public init(configuration: ServerConfiguration, logger: Logger = Logger(label: "synpref.serve"), annotation: AnnotationApp) {
        self.configuration = configuration
        self.state = ServerState(maxQueueTokens: configuration.maxQueueTokens)
        self.logger = logger
        self.load = nil
        self.annotation = annotation
        (shutdownSignal, shutdownTrigger) = AsyncStream<Void>.makeStream()
    }

    /// Starts draining, as SIGTERM does.
    public func drain() { shutdownTrigger.yield() }

    /// True once the model is loaded and the server takes scoring requests.
    public var isReady: Bool { state.phase == .ready }

    /// Serves until drained. `onListening` gets the bound port (useful with port 0).
    /// Throws when the address cannot be bound or the model fails to load.
    public func run(onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let created = Int(Date().timeIntervalSince1970)
        let router = makeRouter(created: created)
        let app = Application(
            router: router,
            server: .http1(configuration: .init(additionalChannelHandlers: [DisconnectWatcher()])),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "synpref"),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger))
        let loadResult = LoadResult()
        try await withThrowingTaskGroup(of: Part.self) { tasks in
            tasks.addTask { try await group.run(); return .server }
            if let annotation {
                try await annotation.reconcile()
            }
            // The model loads on a thread of its own, off the cooperative pool.
            tasks.addTask { [self] in
                guard let load = self.load else {
                    self.state.readyWithoutModel()
                    return .loader
                }
                do {
                    let model = try await Self.offPool { try load() }
                    let service = try ScoringService(model: model, options: .init(
                        maxBatchTokens: configuration.maxBatchTokens, maxWait: configuration.maxWait,
                        onForwardPass: { [metrics] in metrics.forwardPass($0) }))
                    _ = model.fingerprint
                    self.state.ready(model: model, service: service)
                    self.logger.info("model ready: \(configuration.modelReference) (\(model.threads) threads, max \(configuration.maxBatchTokens) tokens per forward pass); serving")
                } catch {
                    self.logger.error("cannot load the model: \(error)")
                    loadResult.fail(error)
                    self.drain()
                }
                return .loader
            }
            // Signals and drain() lead to the same drain.
            tasks.addTask { [self] in
                let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
                await withTaskGroup(of: Void.self) { first in
                    first.addTask { for await _ in signals { return } }
                    first.addTask { for await _ in self.shutdownSignal { return } }
                    await first.next()
                    first.cancelAll()
                }
                if self.state.startDraining() {
                    self.logger.info("draining: finishing \(self.state.inFlight) request(s) in flight, refusing new ones with 503")
                }
                let idle = await Self.offPool { self.state.waitUntilIdle(timeout: self.configuration.drainTimeout) }
                if !idle { self.logger.warning("drain timeout: stopping with \(self.state.inFlight) request(s) in flight") }
                await group.triggerGracefulShutdown()
                return .drain
            }
            while let part = try await tasks.next() {
                if part == .server { break }
            }
            tasks.cancelAll()
        }
        state.stopped()
        state.shutdownService()
        if let error = loadResult.error { throw error }
    }

    private enum Part: Sendable { case server, loader, drain }

    private func makeRouter(created: Int) -> Router<ServerContext> {
        let router = Router(context: ServerContext.self)
        router.add(middleware: RequestLogMiddleware(state: state, metrics: metrics, logger: logger))
        if let key = configuration.apiKey { router.add(middleware: BearerAuthMiddleware(key: Array(key.utf8))) }
        annotation?.register(on: router)
        let configuration = self.configuration
        let state = self.state
        let metrics = self.metrics
        router.get("/health") { _, _ in StatusEndpoints.health(state) }
        router.get("/info") { _, _ in JSONResponse.make(StatusEndpoints.info(state, configuration)) }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.exposition(inFlight: state.inFlight, queuedTokens: state.queuedTokens))))
        }
        guard load != nil else { return router }
        let route = ScoringRoute(state: state, metrics: metrics, configuration: configuration)
        let label = LabelBox()

        router.post("/pooling") { request, context in
            try await route.handle(request, context) { f, service in
                try VLLMEndpoints.job(f, kind: .pooling, service: service, configuration: configuration, label: label.value(service))
            }
        }
        router.post("/classify") { request, context in
            try await route.handle(request, context) { f, service in
                try VLLMEndpoints.job(f, kind: .classify, service: service, configuration: configuration, label: label.value(service))
            }
        }
        router.post("/get_reward") { request, context in
            try await route.handle(request, context) { f, service in try OpenRLHFEndpoint.job(f, service: service) }
        }
        router.post("/rerank") { request, context in
            try await route.handle(request, context) { f, service in try RerankEndpoint.job(f, service: service) }
        }
        router.post("/v1/score") { request, context in
            try await route.handle(request, context) { f, service in try ScoreEndpoint.job(f, service: service) }
        }
        router.get("/v1/models") { _, _ in
            JSONResponse.make(VLLMEndpoints.models(configuration, created: created,
                                                   maxLength: state.model?.frontEnd?.options.maxLength))
        }
        return router
    }

    /// Runs blocking work on a new thread and awaits it.
    static func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try body() }) }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    static func offPool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.start()
        }
    }
}

/// The model-load failure `run()` rethrows.
final class LoadResult: @unchecked Sendable {
    private let lock = NSLock()
    private var _error: (any Error)?
    func fail(_ e: any Error) { lock.withLock { _error = e } }
    var error: (any Error)? { lock.withLock { _error } }
}

/// The classifier label, read from config.json once.
final class LabelBox: @unchecked Sendable {
    private let lock = NSLock()
    private var label: String?
    func value(_ service: ScoringService) -> String {
        lock.withLock {
            if let label { return label }
            let l = StatusEndpoints.label(directory: service.model.directory)
            label = l
            return l
        }
    }
}
