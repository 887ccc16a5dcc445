import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A status line and headers (names lowercased).
struct HubHTTPResponse: Sendable {
    var url: URL
    var status: Int
    var headers: [String: String]

    subscript(header: String) -> String? { headers[header.lowercased()] }
}

/// Blocking HTTP for the Hub: HEAD without following CDN redirects (their headers carry the
/// file's ETag and size), and GET into a partial file that resumes with `Range` after an
/// interruption. The token goes only to the endpoint's host, never to a redirect target
/// (signed CDN URLs reject a second credential).
struct HubHTTPClient {
    let settings: HubSettings

    var userAgent: String { "synpref/1 (huggingface_hub-compatible)" }

    func request(_ url: URL, method: String) -> URLRequest {
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: settings.requestTimeout)
        request.httpMethod = method
        request.setValue(userAgent, forHTTPHeaderField: "User-Agent")
        // Byte offsets must mean file offsets for Range to resume correctly.
        request.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        if let token = settings.token, url.host == settings.endpoint.host {
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        }
        return request
    }

    /// HEAD `url`, following only same-host relative redirects (renamed repositories);
    /// a redirect to another host (the CDN, for LFS files) is returned as is.
    func head(_ url: URL) throws(HubError) -> HubHTTPResponse {
        var current = url
        for _ in 0..<6 {
            let response = try withRetries(current) { () throws(HubError) -> HubHTTPResponse in
                let exchange = HTTPExchange(request: request(current, method: "HEAD"), followRedirects: false, settings: settings)
                return try exchange.run()
            }
            guard (300..<400).contains(response.status), let location = response["location"],
                location.hasPrefix("/"), let next = URL(string: location, relativeTo: current)?.absoluteURL
            else {
                return response
            }
            current = next
        }
        throw .invalidResponse(url: url.absoluteString, reason: "too many redirects")
    }

    /// GETs a small answer (the Hub's API) into memory, following redirects, with retries
    /// on network errors and 5xx answers.
    func get(_ url: URL, accept: String = "application/json") throws(HubError) -> (HubHTTPResponse, Data) {
        var attempt = 0
        while true {
            var request = request(url, method: "GET")
            request.setValue(accept, forHTTPHeaderField: "Accept")
            let exchange = HTTPExchange(request: request, followRedirects: true, settings: settings, collectBody: true)
            do throws(HubError) {
                let response = try exchange.run()
                if (500..<600).contains(response.status) && attempt < settings.retries {
                    attempt += 1
                    Thread.sleep(forTimeInterval: min(0.2 * Double(1 << min(attempt, 5)), 5))
                    continue
                }
                return (response, exchange.body)
            } catch {
                attempt += 1
                guard case .network = error, attempt <= settings.retries else { throw error }
                Thread.sleep(forTimeInterval: min(0.2 * Double(1 << min(attempt, 5)), 5))
            }
        }
    }

    /// GETs `url` into `partial`, resuming from its current length. Returns the final
    /// response. `progress` receives the file's length as it grows.
    func download(
        _ url: URL, to partial: URL, expectedSize: Int?, progress: @escaping (Int) -> Void
    ) throws(HubError) -> HubHTTPResponse {
        var attempt = 0
        while true {
            let outcome = try downloadOnce(url, to: partial, expectedSize: expectedSize, progress: progress)
            switch outcome {
            case .complete(let response):
                return response
            case .retry(let error):
                attempt += 1
                guard attempt <= settings.retries else { throw error }
                Thread.sleep(forTimeInterval: min(0.2 * Double(1 << min(attempt, 5)), 5))
            }
        }
    }

    private enum Outcome {
        case complete(HubHTTPResponse)
        case retry(HubError)
    }

    private func downloadOnce(
        _ url: URL, to partial: URL, expectedSize: Int?, progress: @escaping (Int) -> Void
    ) throws(HubError) -> Outcome {
        var existing = HubHTTPClient.fileSize(partial)
        if let expectedSize, existing > expectedSize {
            try HubHTTPClient.truncate(partial)
            existing = 0
        }
        if let expectedSize, existing == expectedSize, existing > 0 {
            return .complete(HubHTTPResponse(url: url, status: 200, headers: [:]))
        }
        var request = request(url, method: "GET")
        if existing > 0 { request.setValue("bytes=\(existing)-", forHTTPHeaderField: "Range") }
        let writer: FileWriter
        do { writer = try FileWriter(url: partial, offset: existing) } catch {
            throw .cache(path: partial.path, reason: "\(error)")
        }
        let exchange = HTTPExchange(request: request, followRedirects: true, settings: settings, writer: writer, progress: progress)
        progress(existing)
        let response: HubHTTPResponse
        do throws(HubError) {
            response = try exchange.run()
        } catch {
            writer.close()
            switch error {
            case .network: return .retry(error)
            case .invalidResponse:
                // A resume that did not line up: start the file again.
                try HubHTTPClient.truncate(partial)
                return .retry(error)
            default: throw error
            }
        }
        writer.close()
        switch response.status {
        case 200, 206:
            let length = HubHTTPClient.fileSize(partial)
            if let expectedSize, length != expectedSize {
                // The connection ended early without an error: resume from what we have.
                return .retry(.invalidResponse(
                    url: url.absoluteString, reason: "received \(length) of \(expectedSize) bytes"))
            }
            return .complete(response)
        case 416:
            // Nothing left to send: the partial file may already be complete.
            if let expectedSize, HubHTTPClient.fileSize(partial) == expectedSize { return .complete(response) }
            try HubHTTPClient.truncate(partial)
            return .retry(.invalidResponse(url: url.absoluteString, reason: "range not satisfiable; restarting"))
        case 500..<600:
            return .retry(.httpStatus(url: url.absoluteString, status: response.status))
        default:
            return .complete(response)  // the caller maps 4xx to errors
        }
    }

    private func withRetries<T>(_ url: URL, _ body: () throws(HubError) -> T) throws(HubError) -> T {
        var attempt = 0
        while true {
            do {
                return try body()
            } catch {
                attempt += 1
                guard case .network = error, attempt <= settings.retries else { throw error }
                Thread.sleep(forTimeInterval: min(0.2 * Double(1 << min(attempt, 5)), 5))
            }
        }
    }

    static func fileSize(_ url: URL) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    static func truncate(_ url: URL) throws(HubError) {
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        do {
            let handle = try FileHandle(forWritingTo: url)
            try handle.truncate(atOffset: 0)
            try handle.close()
        } catch {
            throw .cache(path: url.path, reason: error.localizedDescription)
        }
    }
}

/// Appends response bytes to a partial file, starting at `offset`.
/// `@unchecked Sendable`: used only from the URLSession delegate queue while a transfer
/// runs, then read by the waiting thread after the transfer's semaphore is signalled.
final class FileWriter: @unchecked Sendable {
    let path: String
    private let handle: FileHandle
    private(set) var length: Int
    private(set) var error: String?

    init(url: URL, offset: Int) throws {
        path = url.path
        if !FileManager.default.fileExists(atPath: url.path) {
            _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        }
        handle = try FileHandle(forWritingTo: url)
        try handle.truncate(atOffset: UInt64(offset))
        try handle.seek(toOffset: UInt64(offset))
        length = offset
    }

    /// Restarts the file (the server ignored the Range request).
    func restart() -> Bool {
        do {
            try handle.truncate(atOffset: 0)
            try handle.seek(toOffset: 0)
            length = 0
            return true
        } catch {
            self.error = error.localizedDescription
            return false
        }
    }

    func append(_ data: Data) -> Bool {
        do {
            try handle.write(contentsOf: data)
            length += data.count
            return true
        } catch {
            self.error = error.localizedDescription
            return false
        }
    }

    func close() { try? handle.close() }
}

/// One HTTP request run to completion on its own URLSession, blocking the caller.
///
/// `@unchecked Sendable`: its mutable state is touched only on the session's serial
/// delegate queue until `done` is signalled; `run()` reads it after waiting on `done`.
final class HTTPExchange: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let request: URLRequest
    private let followRedirects: Bool
    private let settings: HubSettings
    private let writer: FileWriter?
    private let progress: ((Int) -> Void)?
    private let collectBody: Bool
    /// The response body when `collectBody` (read after `run()` returns).
    private(set) var body = Data()
    private let done = DispatchSemaphore(value: 0)
    private var response: HTTPURLResponse?
    private var failure: Error?
    private var lastReported = 0

    init(
        request: URLRequest, followRedirects: Bool, settings: HubSettings, writer: FileWriter? = nil,
        progress: ((Int) -> Void)? = nil, collectBody: Bool = false
    ) {
        self.collectBody = collectBody
        self.request = request
        self.followRedirects = followRedirects
        self.settings = settings
        self.writer = writer
        self.progress = progress
    }

    func run() throws(HubError) -> HubHTTPResponse {
        let url = request.url?.absoluteString ?? "?"
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = settings.requestTimeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: configuration, delegate: self, delegateQueue: queue)
        session.dataTask(with: request).resume()
        done.wait()
        session.finishTasksAndInvalidate()
        if let writeError = writer?.error { throw .cache(path: writer?.path ?? "?", reason: writeError) }
        if let hubError = failure as? HubError { throw hubError }
        if let failure {
            let nsError = failure as NSError
            // We cancel on purpose after an error status or a refused redirect: the response is the answer.
            if nsError.domain == NSURLErrorDomain && nsError.code == NSURLErrorCancelled, let response {
                return HubHTTPExchangeResult.make(response, url: url)
            }
            throw .network(url: url, reason: failure.localizedDescription)
        }
        guard let response else { throw .invalidResponse(url: url, reason: "no HTTP response") }
        return HubHTTPExchangeResult.make(response, url: url)
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
    ) {
        guard followRedirects else {
            self.response = response
            completionHandler(nil)
            return
        }
        var next = request
        if next.url?.host != self.request.url?.host {
            next.setValue(nil, forHTTPHeaderField: "Authorization")
        } else if let authorization = self.request.value(forHTTPHeaderField: "Authorization") {
            next.setValue(authorization, forHTTPHeaderField: "Authorization")
        }
        for header in ["Range", "User-Agent", "Accept-Encoding"] {
            if let value = self.request.value(forHTTPHeaderField: header) { next.setValue(value, forHTTPHeaderField: header) }
        }
        completionHandler(next)
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        let http = response as? HTTPURLResponse
        self.response = http
        guard let writer, let http else {
            completionHandler(.allow)
            return
        }
        switch http.statusCode {
        case 206:
            // The server must resume exactly where the partial file ends.
            let range = http.value(forHTTPHeaderField: "Content-Range") ?? ""
            let start = range.split(separator: " ").last?.split(separator: "-").first.flatMap { Int($0) }
            if start == writer.length {
                completionHandler(.allow)
            } else {
                failure = HubError.invalidResponse(url: http.url?.absoluteString ?? "?", reason: "Content-Range \(range)")
                completionHandler(.cancel)
            }
        case 200:
            completionHandler(writer.length == 0 || writer.restart() ? .allow : .cancel)
        default:
            completionHandler(.cancel)  // 4xx/5xx/416: the status is all we need
        }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard let writer else {
            if collectBody {
                // API answers are small; a runaway body is cut off rather than held.
                guard body.count + data.count <= 64 << 20 else {
                    failure = HubError.invalidResponse(url: request.url?.absoluteString ?? "?", reason: "answer larger than 64 MiB")
                    dataTask.cancel()
                    return
                }
                body.append(data)
            }
            return
        }
        guard writer.append(data) else {
            dataTask.cancel()
            return
        }
        // Report about every 256 KiB; observers must be cheap but need not see every packet.
        if writer.length - lastReported >= 1 << 18 {
            lastReported = writer.length
            progress?(writer.length)
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        if response == nil { response = task.response as? HTTPURLResponse }
        if let error, failure == nil { failure = error }
        if let writer { progress?(writer.length) }
        done.signal()
    }
}

/// Builds a `HubHTTPResponse` from Foundation's response.
enum HubHTTPExchangeResult {
    static func make(_ response: HTTPURLResponse, url: String) -> HubHTTPResponse {
        var headers: [String: String] = [:]
        for (key, value) in response.allHeaderFields {
            if let key = key as? String, let value = value as? String { headers[key.lowercased()] = value }
        }
        return HubHTTPResponse(url: response.url ?? URL(fileURLWithPath: url), status: response.statusCode, headers: headers)
    }
}
