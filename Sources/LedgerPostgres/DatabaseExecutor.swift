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
/// at the deadline; the call is cancelled and left to finish on its own.
enum DatabaseCall {
    struct TimedOut: Error {}

    /// What the caller, the call and its timer share: whoever takes the continuation first resumes it.
    private final class Race<T: Sendable>: Sendable {
        let pending = Mutex<CheckedContinuation<Result<T, any Error>, Never>?>(nil)
        let tasks = Mutex<(work: Task<Void, Never>?, timer: Task<Void, Never>?)>((nil, nil))

        func finish(_ result: Result<T, any Error>) -> Bool {
            guard let continuation = pending.withLock({ $0.take() }) else { return false }
            continuation.resume(returning: result)
            return true
        }
    }

    static func run<T: Sendable>(timeout: Duration, _ body: @escaping @Sendable () async throws -> T) async -> Result<
        T, any Error
    > {
        let race = Race<T>()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<T, any Error>, Never>) in
                race.pending.withLock { $0 = continuation }
                let work = Task(executorPreference: DatabaseExecutor.shared) {
                    let result: Result<T, any Error>
                    do { result = .success(try await body()) } catch { result = .failure(error) }
                    if race.finish(result) { race.tasks.withLock { $0.timer }?.cancel() }
                }
                let timer = Task(executorPreference: DatabaseExecutor.shared) {
                    try? await Task.sleep(for: timeout)
                    guard !Task.isCancelled, race.finish(.failure(TimedOut())) else { return }
                    work.cancel()
                }
                race.tasks.withLock { $0 = (work, timer) }
                // The call may have finished before the timer was stored.
                if race.pending.withLock({ $0 == nil }) { timer.cancel() }
            }
        } onCancel: {
            let (work, timer) = race.tasks.withLock { $0 }
            work?.cancel()
            timer?.cancel()
            _ = race.finish(.failure(CancellationError()))
        }
    }
}
