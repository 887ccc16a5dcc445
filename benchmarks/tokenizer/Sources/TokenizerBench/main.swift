// Times SynprefText for benchmarks/tokenizer/run.py (which times the Python reference in
// the same run, interleaved). One invocation = one round; prints one JSON object.
//
//   tokenizer-bench load   TOKENIZER_JSON REPEATS
//   tokenizer-bench encode TOKENIZER_JSON TEXTS_FILE REPEATS
//
// TEXTS_FILE holds the texts to encode, in order, each as "<UTF-8 byte count>\n<bytes>"
// (exact for any text, unlike a JSON round trip through Foundation). `encode`
// encodes every text with special tokens, one after another on one thread, REPEATS times,
// and reports the best pass (and the median) in seconds plus the token count.
import Foundation
import SynprefText

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(2)
}

let args = CommandLine.arguments
guard args.count >= 4 else { fail("usage: tokenizer-bench load JSON REPEATS | encode JSON TEXTS REPEATS") }
let url = URL(fileURLWithPath: args[2])

switch args[1] {
case "load":
    let repeats = Int(args[3]) ?? 3
    var times: [Double] = []
    for _ in 0..<repeats {
        let t = now()
        do { _ = try Tokenizer(tokenizerJSON: url) } catch { fail("\(error)") }
        times.append(now() - t)
    }
    times.sort()
    print("{\"best\": \(times[0]), \"median\": \(times[times.count / 2])}")
case "encode":
    guard args.count >= 5 else { fail("usage: tokenizer-bench encode JSON TEXTS REPEATS") }
    let tokenizer: Tokenizer
    do { tokenizer = try Tokenizer(tokenizerJSON: url) } catch { fail("\(error)") }
    var texts: [String] = []
    guard let data = FileManager.default.contents(atPath: args[3]) else { fail("cannot read \(args[3])") }
    let bytes = [UInt8](data)
    var i = 0
    while i < bytes.count {
        guard let nl = bytes[i...].firstIndex(of: 0x0A), let n = Int(String(decoding: bytes[i..<nl], as: UTF8.self)),
              nl + 1 + n <= bytes.count else { fail("malformed texts file at byte \(i)") }
        texts.append(String(decoding: bytes[(nl + 1)..<(nl + 1 + n)], as: UTF8.self))
        i = nl + 1 + n
    }
    let repeats = Int(args[4]) ?? 3
    var times: [Double] = []
    var tokens = 0
    for _ in 0..<repeats {
        var count = 0
        let t = now()
        for text in texts { count += tokenizer.encodeIDs(text).count }
        times.append(now() - t)
        tokens = count
    }
    times.sort()
    print("{\"best\": \(times[0]), \"median\": \(times[times.count / 2]), \"tokens\": \(tokens)}")
default:
    fail("unknown mode \(args[1])")
}
