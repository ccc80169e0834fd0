import Dispatch
import Synchronization

/// Where database work runs: a serial dispatch queue with its own thread, outside Swift's cooperative pool.
///
/// Callers of a store may block threads of the cooperative pool (a request handler waiting for a log's lock, held
/// by a writer that waits for the database); with two cores that is the whole pool. The connection pool, the
/// queries' encoding and decoding, and the timers of ``DatabaseCall`` therefore never need it: NIO's event loops
/// do the I/O, this queue runs the rest, and none of it blocks.
public final class DatabaseExecutor: TaskExecutor {
    public static let shared = DatabaseExecutor()
    private let queue = DispatchQueue(label: "grant-ledger.postgres")

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

/// One call to the database with a deadline that does not depend on the call's cooperation.
///
/// A task group would wait for its child to return after cancelling it, and a call blocked in the client (waiting
/// for a connection that a restarting database cannot give) may not return for a long time. Here the caller resumes
/// at the deadline; the call is cancelled and left to finish on its own. The deadlines of all calls are watched by
/// ``CallDeadlines``, one timer for the process, not a timer per call (a timer armed and cancelled per query cost
/// several per cent of a node's CPU under load).
enum DatabaseCall {
    struct TimedOut: Error {}

    /// What the caller, the call and the watch share: whoever takes the continuation first resumes it.
    private final class Race<T: Sendable>: ExpiringCall {
        let pending = Mutex<CheckedContinuation<Result<T, any Error>, Never>?>(nil)
        let work = Mutex<Task<Void, Never>?>(nil)

        func finish(_ result: Result<T, any Error>) -> Bool {
            guard let continuation = pending.withLock({ $0.take() }) else { return false }
            continuation.resume(returning: result)
            return true
        }

        func expire() {
            if finish(.failure(TimedOut())) { work.withLock { $0 }?.cancel() }
        }
    }

    static func run<T: Sendable>(timeout: Duration, _ body: @escaping @Sendable () async throws -> T) async -> Result<
        T, any Error
    > {
        let race = Race<T>()
        let deadline = ContinuousClock.now + timeout
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<T, any Error>, Never>) in
                race.pending.withLock { $0 = continuation }
                let watch = CallDeadlines.shared.watch(race, until: deadline)
                let work = Task(executorPreference: DatabaseExecutor.shared) {
                    let result: Result<T, any Error>
                    do { result = .success(try await body()) } catch { result = .failure(error) }
                    _ = race.finish(result)
                    CallDeadlines.shared.forget(watch)
                }
                race.work.withLock { $0 = work }
            }
        } onCancel: {
            race.work.withLock { $0 }?.cancel()
            _ = race.finish(.failure(CancellationError()))
        }
    }
}

/// A call that gives up at its deadline.
protocol ExpiringCall: Sendable {
    func expire()
}

/// The deadlines of the database calls in flight, checked every 100 ms while there are any.
final class CallDeadlines: Sendable {
    static let shared = CallDeadlines()

    private struct Watched: Sendable {
        var next: UInt64 = 0
        var calls: [UInt64: (deadline: ContinuousClock.Instant, call: any ExpiringCall)] = [:]
        var ticking = false
    }

    private let state = Mutex(Watched())
    private let queue = DispatchQueue(label: "grant-ledger.postgres.deadlines")
    static let period = 0.1

    /// Watches `call` until ``forget(_:)``; expires it at `deadline` (within ``period``).
    func watch(_ call: any ExpiringCall, until deadline: ContinuousClock.Instant) -> UInt64 {
        let (id, start) = state.withLock { (state) -> (UInt64, Bool) in
            state.next += 1
            state.calls[state.next] = (deadline, call)
            defer { state.ticking = true }
            return (state.next, !state.ticking)
        }
        if start { schedule() }
        return id
    }

    func forget(_ id: UInt64) {
        _ = state.withLock { $0.calls.removeValue(forKey: id) }
    }

    private func schedule() {
        queue.asyncAfter(deadline: .now() + Self.period) { self.tick() }
    }

    private func tick() {
        let now = ContinuousClock.now
        let (expired, more) = state.withLock { (state) -> ([any ExpiringCall], Bool) in
            let expired = state.calls.filter { $0.value.deadline <= now }
            for id in expired.keys { state.calls[id] = nil }
            state.ticking = !state.calls.isEmpty
            return (expired.values.map(\.call), state.ticking)
        }
        for call in expired { call.expire() }
        if more { schedule() }
    }
}
