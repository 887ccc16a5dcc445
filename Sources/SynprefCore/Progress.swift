/// A report of how far a long operation has come. Library code never prints; it hands
/// these to an observer and the command line draws the bar.
public struct ProgressEvent: Sendable {
    public var task: String
    public var completed: Int
    public var total: Int?
    public var unit: String

    public init(task: String, completed: Int, total: Int?, unit: String) {
        self.task = task
        self.completed = completed
        self.total = total
        self.unit = unit
    }
}

/// Receives progress from long operations. Must be cheap: it is called often.
public protocol ProgressObserver: Sendable {
    func report(_ event: ProgressEvent)
}

/// Ignores progress; the default for library callers that do not care.
public struct SilentProgress: ProgressObserver {
    public init() {}
    public func report(_ event: ProgressEvent) {}
}
