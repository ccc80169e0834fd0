import Synchronization

/// How far a long pass over a log has gone: entries so far, and the fraction done when the total is known.
public struct ProgressReport: Sendable {
    public let entries: Int64
    /// Between 0 and 1; nil when the end is not known (entries being written).
    public let fraction: Double?
}

/// Where the long loops of the libraries (verification, replay, write sessions, mirroring) report their progress,
/// every ``interval`` entries, to an observer a program installs (the CLI shows it on a terminal). With no observer
/// (the default) a report costs one atomic load.
public enum ProgressObserver {
    /// Entries between two reports.
    public static let interval: Int64 = 4096
    private static let active = Atomic<Bool>(false)
    private static let observer = Mutex<(@Sendable (ProgressReport) -> Void)?>(nil)

    /// Installs `observer` (replacing any other) until ``remove()``.
    public static func install(_ observer: @escaping @Sendable (ProgressReport) -> Void) {
        self.observer.withLock { $0 = observer }
        active.store(true, ordering: .releasing)
    }

    public static func remove() {
        active.store(false, ordering: .releasing)
        observer.withLock { $0 = nil }
    }

    /// Reports `entries` done (when it is a multiple of ``interval``), with `done` of `total` units when known.
    static func report(entries: Int64, done: Int? = nil, total: Int? = nil) {
        guard entries % interval == 0, active.load(ordering: .acquiring) else { return }
        let fraction = total.flatMap { total in done.map { total > 0 ? min(1, Double($0) / Double(total)) : 1 } }
        let observer = self.observer.withLock { $0 }
        observer?(ProgressReport(entries: entries, fraction: fraction))
    }
}
