import Foundation
import Hummingbird
import SynprefCore
import SynprefModels

/// An error answer: `{"error": {"message", "type", "code"}}` with the HTTP status, the
/// shape vLLM's OpenAI-compatible server uses (`code` is the status number). Messages say
/// which field is wrong and what to send instead.
public struct APIError: Error, HTTPResponseError, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var message: String
    /// Seconds for a `Retry-After` header (429).
    public var retryAfter: Int?

    public init(_ status: HTTPResponse.Status, _ message: String, retryAfter: Int? = nil) {
        self.status = status
        self.message = message
        self.retryAfter = retryAfter
    }

    public var description: String { "\(status.code) \(message)" }

    /// The error type name (vLLM's and OpenAI's class names).
    public var type: String {
        switch status.code {
        case 400: return "BadRequestError"
        case 401: return "AuthenticationError"
        case 404: return "NotFoundError"
        case 413: return "PayloadTooLargeError"
        case 422: return "UnprocessableEntityError"
        case 429: return "RateLimitError"
        case 503: return "ServiceUnavailableError"
        default: return "InternalServerError"
        }
    }

    public var body: JSONValue {
        ["error": ["message": .string(message), "type": .string(type), "code": .integer(status.code)]]
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = JSONResponse.make(body, status: status)
        if let retryAfter { response.headers[.retryAfter] = String(retryAfter) }
        return response
    }

    static func badRequest(_ message: String) -> APIError { APIError(.badRequest, message) }

    /// The answer for an error the scoring path threw: input problems are the client's
    /// (400 for ids the model cannot read, 422 for text that is too long or a template that
    /// fails), a stopped service is 503, anything else 500.
    static func from(_ error: any Error, item: String) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as TextFrontEndError:
            return APIError(.unprocessableContent, "\(item): \(error)")
        case let error as ModelError:
            switch error {
            case .sequenceTooLong:
                return APIError(.unprocessableContent, "\(item): \(error)")
            default:
                return APIError(.badRequest, "\(item): \(error)")
            }
        case let issue as FieldIssue:
            return APIError(.badRequest, "\(issue)")
        case ScoringError.shutDown:
            return APIError(.serviceUnavailable, "the server is shutting down; retry on another replica")
        default:
            return APIError(.internalServerError, "\(item): \(error)")
        }
    }
}
