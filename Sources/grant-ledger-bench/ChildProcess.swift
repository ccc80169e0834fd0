#if canImport(Glibc)
    import Glibc
#endif

/// One program run as a child process, timed from spawn to exit, with its own peak memory.
///
/// The peak is the `ru_maxrss` that `wait4` gives for that child alone (`getrusage(RUSAGE_CHILDREN)` would give the
/// largest of every child so far). One catch: `posix_spawn` starts the child in the parent's memory (`CLONE_VM`),
/// and Linux folds the peak of the memory an `exec` leaves into the new program's `ru_maxrss`: a child spawned by a
/// bench that has grown to 500 MiB reports at least 500 MiB. So the program is started by a small runner, this
/// bench freshly executed as `--child-run RESULT -- PROGRAM …` (about 25 MiB, below every figure measured), which
/// spawns it, waits for it with `wait4` and writes the figures into RESULT.
struct ChildRun {
    /// The exit status, or 128 + the signal that ended the child.
    let status: Int32
    /// Wall time from the runner's `posix_spawn` to the end of its `wait4`.
    let seconds: Double
    /// The child's peak resident set (`ru_maxrss`, KiB on Linux).
    let maxRSSKiB: Int
    /// The runner killed the child (SIGKILL) when the timeout passed: `seconds` is then the timeout.
    let timedOut: Bool
    let output: String
    let errors: String

    /// The last line the child wrote on stderr (for a failure's message).
    var lastError: String {
        errors.split(separator: "\n").last.map(String.init) ?? "(nothing on stderr)"
    }

    /// Runs `arguments` (the program is looked up on the PATH unless it has a slash) through the runner, stdin from
    /// `/dev/null`, stdout and stderr into `scratch.out` and `scratch.err`, read back once it has exited.
    static func run(_ arguments: [String], scratch: String, timeout: Int) throws -> ChildRun {
        let (outPath, errPath, resultPath) = (scratch + ".out", scratch + ".err", scratch + ".result")
        defer {
            unlink(outPath)
            unlink(errPath)
            unlink(resultPath)
        }
        let runner =
            [Measure.executablePath(), "--child-run", resultPath, "--timeout", String(timeout), "--"] + arguments
        let spawned = try spawn(runner, output: outPath, errors: errPath)
        let errors = Measure.readText(errPath) ?? ""
        let fields = Measure.fields(in: Measure.readText(resultPath) ?? "")
        guard spawned.status == 0, let status = fields["status"], let seconds = fields["seconds"],
            let peak = fields["max_rss_kib"], let timedOut = fields["timed_out"]
        else {
            throw BenchFailure("the runner of `\(arguments.joined(separator: " "))` failed: \(errors)")
        }
        return ChildRun(
            status: Int32(status), seconds: seconds, maxRSSKiB: Int(peak), timedOut: timedOut != 0,
            output: Measure.readText(outPath) ?? "", errors: errors)
    }

    /// The runner's side (`--child-run RESULT -- PROGRAM …`): runs the program with this process's stdout and
    /// stderr, and writes `status=… seconds=… max_rss_kib=…` into RESULT (status 127 when it cannot be started).
    static func runnerMain(result: String, timeout: Int, arguments: [String]) throws {
        var run: (status: Int32, seconds: Double, maxRSSKiB: Int)
        do { run = try spawn(arguments, output: nil, errors: nil, timeout: timeout) } catch {
            printError("\(error)")
            run = (127, 0, 0)  // as a shell says "command not found"
        }
        let timedOut = runnerTimedOut != 0
        if timedOut { run.seconds = Double(timeout) }
        let text =
            "status=\(run.status) seconds=\(run.seconds) max_rss_kib=\(run.maxRSSKiB) timed_out=\(timedOut ? 1 : 0)\n"
        let fd = open(result, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw BenchFailure("cannot create \(result)") }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count else {
            throw BenchFailure("cannot write \(result)")
        }
    }

    /// `posix_spawnp` then `wait4`: the exit status (or 128 + the signal), the wall time and `ru_maxrss`. Standard
    /// output and error go to the given files, or stay this process's.
    /// With a `timeout` in seconds, SIGALRM kills the child when it passes (`runnerTimedOut` is then set).
    static func spawn(_ arguments: [String], output: String?, errors: String?, timeout: Int? = nil) throws -> (
        status: Int32, seconds: Double, maxRSSKiB: Int
    ) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if let output { posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
        if let errors { posix_spawn_file_actions_addopen(&actions, 2, errors, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }

        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let start = Measure.clock.now
        let spawned = posix_spawnp(&pid, arguments[0], &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw BenchFailure("cannot start \(arguments[0]): \(String(cString: strerror(spawned)))")
        }
        if let timeout {
            runnerChild = pid
            signal(SIGALRM) { _ in
                runnerTimedOut = 1
                kill(runnerChild, SIGKILL)
            }
            alarm(UInt32(timeout))
        }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw BenchFailure("wait4 on \(arguments[0]) failed") }
        }
        if timeout != nil { alarm(0) }
        let seconds = Measure.seconds(Measure.clock.now - start)
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import (they are macros).
        let signal = status & 0x7f
        return (signal == 0 ? (status >> 8) & 0xff : 128 + signal, seconds, Int(usage.ru_maxrss))
    }
}

/// The runner's child and whether SIGALRM killed it: globals, because a signal handler cannot capture anything.
nonisolated(unsafe) private var runnerChild: pid_t = 0
nonisolated(unsafe) private var runnerTimedOut: sig_atomic_t = 0
