// synpref-crash-harness STORE_URL FILE SOURCE CHUNK_SIZE KILL_AFTER_CHUNKS
//
// Imports FILE into the store like `synpref data import` and kills its own process with
// SIGKILL (no cleanup, like a power cut or the OOM killer) right after the
// KILL_AFTER_CHUNKS-th chunk has committed. CrashSafetyTests runs it, then checks that
// re-running the import stores every pair exactly once. Killing from the importer's
// commit callback makes the kill point deterministic, whatever the machine's load.
import Foundation
import SynprefData

#if canImport(Glibc)
import Glibc
#endif

/// The commit callback: SIGKILL once `chunks` chunks have committed.
func killer(after chunks: Int) -> @Sendable (Int) -> Void {
    { committed in
        if committed >= chunks { kill(getpid(), SIGKILL) }
    }
}

let arguments = CommandLine.arguments
guard arguments.count == 6, let chunkSize = Int(arguments[4]), let killAfter = Int(arguments[5]), killAfter > 0 else {
    FileHandle.standardError.write(Data("usage: synpref-crash-harness STORE_URL FILE SOURCE CHUNK_SIZE KILL_AFTER_CHUNKS\n".utf8))
    exit(2)
}

let options = ImportOptions(source: arguments[3], chunkSize: chunkSize, onChunkCommitted: killer(after: killAfter))
do {
    let store = try await PreferenceStores.open(arguments[1])
    _ = try await PreferenceImporter(store: store, options: options).run([arguments[2]])
    FileHandle.standardError.write(Data("synpref-crash-harness: the import finished before chunk \(killAfter) committed\n".utf8))
    exit(3)
} catch {
    FileHandle.standardError.write(Data("synpref-crash-harness: \(error)\n".utf8))
    exit(1)
}
