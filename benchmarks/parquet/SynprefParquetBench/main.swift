import Foundation
import SynprefData

// synpref-parquet-bench FILE [ROUNDS]: reads every row of a Parquet file into JSON rows,
// ROUNDS times (default 5), and prints the best time and rows/s as one JSON line.
let args = CommandLine.arguments
guard args.count >= 2 else {
    FileHandle.standardError.write(Data("usage: synpref-parquet-bench FILE [ROUNDS]\n".utf8))
    exit(2)
}
let rounds = args.count > 2 ? Int(args[2]) ?? 5 : 5
var best = Double.infinity
var rows = 0
for _ in 0..<rounds {
    let start = DispatchTime.now().uptimeNanoseconds
    let reader = try ParquetFileReader(path: args[1])
    var n = 0
    try reader.forEachRow { _ in n += 1 }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    best = min(best, seconds)
    rows = n
}
print("{\"rows\": \(rows), \"best_seconds\": \(best), \"rows_per_second\": \(Double(rows) / best)}")
