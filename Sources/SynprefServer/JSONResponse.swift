import Hummingbird
import SynprefCore

/// JSON bodies written with the project's JSON writer.
enum JSONResponse {
    static func make(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        JSONWriter.append(value, to: &bytes)
        return Response(status: status, headers: [.contentType: "application/json"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// A score as a JSON number (the f32 value, exactly).
    static func number(_ x: Float) -> JSONValue { .double(Double(x)) }
}
