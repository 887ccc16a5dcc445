// libFuzzer target for the Parquet reader: any bytes must give rows or a ParquetError,
// never a crash, a hang or an out-of-bounds read. fuzz/parquet/run.sh builds it with
// `-sanitize=fuzzer,address -DSYNPREF_FUZZ`, and this program hands control to libFuzzer's
// driver; in a normal build it compiles to a program that does nothing.
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

#if SYNPREF_FUZZ
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, parquetFuzzOne))
#endif
