import Foundation
import Testing
@testable import SynprefModels
import SynprefTestSupport

/// One test per kind of broken safetensors file: each is built here, byte by byte, and must
/// be refused with the typed error that names the file and tensor.
@Suite(.computeThreads) struct SafetensorsCorruptionTests {
    typealias Support = SafetensorsTestSupport

    /// A valid two-tensor file: "a" = 2 f32 (bytes 0..<8), "b" = 3 bf16 (bytes 8..<14).
    static let validHeader =
        #"{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"#
        + #""b":{"dtype":"BF16","shape":[3],"data_offsets":[8,14]}}"#
    static let validData: [UInt8] = Array(repeating: 0, count: 14)

    /// Opens a file made of `header` and `data` and returns the error (with its path).
    func openFailure(header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) throws -> (CheckpointError?, String) {
        let url = try Support.write(header: header, data: data, declaredLength: declaredLength)
        return (Support.openError(url), url.path)
    }

    /// A one-tensor header with the given entry JSON.
    func entry(_ json: String) -> String { #"{"t":"# + json + "}" }

    @Test func validFileOpens() throws {
        let url = try Support.write(header: Self.validHeader, data: Self.validData)
        let file = try SafetensorsFile(url: url)
        #expect(file.tensorNames == ["a", "b"])
        #expect(file.metadata == ["format": "pt"])
    }

    @Test func fileShorterThanTheLengthField() throws {
        for size in [0, 3, 7] {
            let url = try Support.write(Array(repeating: 1, count: size))
            #expect(Support.openError(url) == .fileTooShort(file: url.path, size: size))
        }
    }

    @Test func headerLengthAboveLimit() throws {
        for length: UInt64 in [100_000_001, UInt64.max] {
            let (error, path) = try openFailure(header: "{}", declaredLength: length)
            #expect(error == .headerTooLarge(file: path, headerLength: length, limit: 100_000_000))
        }
    }

    @Test func headerLengthPastEndOfFile() throws {
        // 2 header bytes present, 50 declared: 8 + 2 = 10-byte file.
        let (error, path) = try openFailure(header: "{}", declaredLength: 50)
        #expect(error == .headerOutOfBounds(file: path, headerLength: 50, fileSize: 10))
    }

    @Test func headerIsNotJSON() throws {
        let cases = [
            #"{"a": "#,                                            // cut off
            #"{"a":{"dtype":"F32"} trailing}"#,                  // garbage
            "{\"a\":\"\u{1}\"}",                                 // raw control character
            String(repeating: "[", count: 100) + "{}",           // not starting with an object
            "{\"x\":" + String(repeating: "[", count: 10_000),   // nesting far beyond the limit
        ]
        for header in cases {
            let (error, path) = try openFailure(header: header)
            guard case .invalidHeaderJSON(let file, let detail)? = error else {
                Issue.record("expected invalidHeaderJSON for \(header.prefix(40)), got \(String(describing: error))")
                continue
            }
            #expect(file == path)
            #expect(!detail.isEmpty)
        }
        // Invalid UTF-8 inside a string.
        var bytes = Support.fileBytes(header: #"{"a":"xx"}"#, data: [])
        bytes[8 + 6] = 0xFF
        let url = try Support.write(bytes)
        guard case .invalidHeaderJSON(_, let detail)? = Support.openError(url) else {
            Issue.record("invalid UTF-8 accepted")
            return
        }
        #expect(detail.contains("UTF-8"))
    }

    @Test func headerIsNotAnObject() throws {
        for (header, found) in [("[1,2]", "an array"), ("\"x\"", "a string"), ("", "an empty header")] {
            let (error, path) = try openFailure(header: header)
            #expect(error == .headerNotAnObject(file: path, found: found))
        }
    }

    @Test func metadataMustBeStrings() throws {
        let (error, path) = try openFailure(header: #"{"__metadata__":{"format":1}}"#)
        #expect(error == .invalidMetadata(file: path, detail: #"value of "format" must be a string, found an integer"#))
        let (listError, listPath) = try openFailure(header: #"{"__metadata__":[]}"#)
        #expect(listError == .invalidMetadata(file: listPath, detail: "expected an object of strings, found an array"))
    }

    @Test func entryFieldsMissingOrMalformed() throws {
        let cases: [(String, String)] = [
            ("1", "expected an object with dtype, shape and data_offsets, found an integer"),
            (#"{"shape":[1],"data_offsets":[0,4]}"#, #"missing "dtype""#),
            (#"{"dtype":4,"shape":[1],"data_offsets":[0,4]}"#, #""dtype" must be a string, found an integer"#),
            (#"{"dtype":"F32","data_offsets":[0,4]}"#, #"missing "shape""#),
            (#"{"dtype":"F32","shape":1,"data_offsets":[0,4]}"#, #""shape" must be an array of integers, found an integer"#),
            (#"{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}"#, "shape[0] must be a non-negative integer, found -1"),
            (#"{"dtype":"F32","shape":[1.0],"data_offsets":[0,4]}"#, "shape[0] must be a non-negative integer, found 1.0"),
            (#"{"dtype":"F32","shape":[1]}"#, #"missing "data_offsets""#),
            (#"{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}"#, #""data_offsets" must be an array [begin, end], found [0, 4, 8]"#),
            (#"{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}"#, "data_offsets begin must be a non-negative integer, found -4"),
            // Larger than any Int: an overflow, not a wrap-around.
            (#"{"dtype":"F32","shape":[1],"data_offsets":[0,18446744073709551620]}"#,
             "data_offsets end must be a non-negative integer, found 1.8446744073709552e+19"),
            (#"{"dtype":"F32","shape":[0],"data_offsets":[8,4]}"#, "data_offsets [8, 4] end before they begin"),
        ]
        for (json, detail) in cases {
            let (error, path) = try openFailure(header: entry(json), data: [0, 0, 0, 0])
            #expect(error == .invalidTensorEntry(file: path, tensor: "t", detail: detail), "\(json)")
        }
    }

    @Test func unknownDType() throws {
        let (error, path) = try openFailure(header: entry(#"{"dtype":"F128","shape":[1],"data_offsets":[0,16]}"#), data: Array(repeating: 0, count: 16))
        #expect(error == .unknownDType(file: path, tensor: "t", dtype: "F128"))
        #expect(error?.description.contains("BF16") == true)  // lists the known dtypes
    }

    @Test func shapeOverflow() throws {
        // 2^40 × 2^40 = 2^80 elements: overflows Int before the byte count is even formed.
        let (error, path) = try openFailure(header: entry(#"{"dtype":"F32","shape":[1099511627776,1099511627776],"data_offsets":[0,4]}"#), data: [0, 0, 0, 0])
        #expect(error == .shapeOverflow(file: path, tensor: "t", shape: [1 << 40, 1 << 40]))
        // 2^61 elements fit in Int, but × 32 bits does not.
        let (bitsError, bitsPath) = try openFailure(header: entry(#"{"dtype":"F32","shape":[2305843009213693952],"data_offsets":[0,4]}"#), data: [0, 0, 0, 0])
        #expect(bitsError == .shapeOverflow(file: bitsPath, tensor: "t", shape: [1 << 61]))
    }

    @Test func shapeTimesDTypeSizeDiffersFromByteRange() throws {
        // [2, 3] of BF16 = 6 × 2 = 12 bytes, but the offsets cover 10.
        let (error, path) = try openFailure(header: entry(#"{"dtype":"BF16","shape":[2,3],"data_offsets":[0,10]}"#), data: Array(repeating: 0, count: 10))
        #expect(error == .byteSizeMismatch(file: path, tensor: "t", dtype: "BF16", shape: [2, 3], expectedBytes: 12, actualBytes: 10))
    }

    @Test func truncatedFile() throws {
        // The valid file minus its last 4 bytes: "b" (8..<14) runs past the 10 data bytes left.
        let (error, path) = try openFailure(header: Self.validHeader, data: Array(Self.validData.dropLast(4)))
        #expect(error == .offsetsOutOfBounds(file: path, tensor: "b", begin: 8, end: 14, dataSize: 10))
        #expect(error?.description.contains("truncated") == true)
    }

    @Test func overlappingTensors() throws {
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        let (error, path) = try openFailure(header: header, data: Array(repeating: 0, count: 12))
        #expect(error == .overlappingTensors(file: path, tensor: "b", other: "a"))
    }

    @Test func holeBetweenTensorsAndTrailingBytes() throws {
        let hole = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#
        let (holeError, path) = try openFailure(header: hole, data: Array(repeating: 0, count: 12))
        #expect(holeError == .unindexedBytes(file: path, begin: 4, end: 8))
        // The valid file plus 2 bytes nobody indexes.
        let (trailingError, trailingPath) = try openFailure(header: Self.validHeader, data: Self.validData + [1, 2])
        #expect(trailingError == .unindexedBytes(file: trailingPath, begin: 14, end: 16))
    }

    @Test func duplicateTensorNamesCannotHideBytes() throws {
        // JSON keeps the last of two equal keys (as Python and serde do); the first entry's
        // bytes then belong to no tensor.
        let header = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        let (error, path) = try openFailure(header: header, data: Array(repeating: 0, count: 8))
        #expect(error == .unindexedBytes(file: path, begin: 0, end: 4))
    }

    @Test func missingOrUnreadableFile() throws {
        let folder = try Support.scratchFolder()
        let missing = folder.appendingPathComponent("absent.safetensors")
        guard case .unreadable(let file, _)? = Support.openError(missing) else {
            Issue.record("missing file not reported as unreadable")
            return
        }
        #expect(file == missing.path)
        #expect(Support.openError(folder) == .unreadable(file: folder.path, reason: "not a regular file"))
    }

    @Test func everyTruncationIsAnErrorNeverACrash() throws {
        let bytes = Support.fileBytes(header: Self.validHeader, data: Self.validData)
        for length in 0..<bytes.count {
            let prefix = Array(bytes.prefix(length))
            let failed = prefix.withUnsafeBytes { buffer in
                (try? SafetensorsFile.parseHeader(buffer, file: "t")) == nil
            }
            #expect(failed, "a prefix of \(length) bytes was accepted")
        }
    }

    @Test func corruptedBytesNeverCrashOrEscapeTheFile() throws {
        // Overwrite each byte of the length field and header with values that matter to the
        // parser; whatever opens must still describe ranges inside the data area.
        let original = Support.fileBytes(header: Self.validHeader, data: Self.validData)
        let replacements: [UInt8] = [0x00, 0xFF, 0x22, 0x2C, 0x30, 0x39, 0x5B, 0x7B, 0x7D, 0x2D]
        var opened = 0
        for position in 0..<(8 + Self.validHeader.utf8.count) {
            for replacement in replacements where original[position] != replacement {
                var bytes = original
                bytes[position] = replacement
                bytes.withUnsafeBytes { buffer in
                    guard let header = try? SafetensorsFile.parseHeader(buffer, file: "t") else { return }
                    opened += 1
                    for entry in header.entries {
                        #expect(header.dataStart + entry.dataOffsets.upperBound <= buffer.count)
                    }
                }
            }
        }
        // A few edits (e.g. inside the metadata string) leave a valid file.
        #expect(opened > 0)
    }

    @Test func errorMessagesNameFileAndTensor() throws {
        let (error, path) = try openFailure(header: entry(#"{"dtype":"F32","shape":[2],"data_offsets":[0,4]}"#), data: [0, 0, 0, 0])
        let message = try #require(error).description
        #expect(message.contains(path))
        #expect(message.contains("\"t\""))
    }
}
