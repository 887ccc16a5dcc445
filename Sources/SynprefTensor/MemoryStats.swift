import Foundation

/// Peak resident memory of this process, for benchmarks and the CLI's summary line.
public enum MemoryStats {
    /// The high-water mark of resident memory in bytes: `VmHWM` from /proc/self/status on
    /// Linux (it starts afresh at exec, unlike getrusage's ru_maxrss, which keeps the
    /// forking parent's size), else getrusage's ru_maxrss; nil if neither is available.
    public static func peakResidentBytes() -> Int? {
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) {
            for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
                let digits = line.split(separator: " ").compactMap { Int($0) }
                if let kb = digits.first { return kb * 1024 }
            }
        }
        var usage = rusage()
        #if os(Linux)
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return nil }
        return Int(usage.ru_maxrss) * 1024
        #else
        guard getrusage(RUSAGE_SELF, &usage) == 0 else { return nil }
        return Int(usage.ru_maxrss) // bytes on Darwin
        #endif
    }
}
