// libFuzzer target for the Parquet reader: any bytes must give rows or a ParquetError,
// never a crash, a hang or an out-of-bounds read. Built and run by fuzz/parquet/run.sh
// (`-sanitize=fuzzer,address`); in a normal build this file compiles to a program that
// does nothing.
import Foundation
import SynprefData

@_cdecl("LLVMFuzzerTestOneInput")
public func parquetFuzzOne(_ bytes: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let data = Data(bytes: bytes, count: size)
    if let reader = try? ParquetFileReader(data: data, name: "fuzz input") {
        for g in 0..<min(reader.numRowGroups, 64) { _ = try? reader.rows(rowGroup: g) }
    }
    return 0
}
