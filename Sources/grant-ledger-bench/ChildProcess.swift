#if canImport(Glibc)
    import Glibc
#endif

/// One program run as a child process, timed from spawn to exit, with its own peak memory.
///
/// `wait4` gives the `rusage` of that child alone: `getrusage(RUSAGE_CHILDREN)` would give the largest peak of
/// every child waited for so far, so a second figure could never be smaller than the first.
struct ChildRun {
    /// The exit status, or 128 + the signal that ended the child.
    let status: Int32
    /// Wall time from `posix_spawn` to the end of `wait4`.
    let seconds: Double
    /// The child's peak resident set (`ru_maxrss`, KiB on Linux).
    let maxRSSKiB: Int
    let output: String
    let errors: String

    /// The last line the child wrote on stderr (for a failure's message).
    var lastError: String {
        errors.split(separator: "\n").last.map(String.init) ?? "(rien sur stderr)"
    }

    /// Runs `arguments` (the program is looked up on the PATH unless it has a slash), stdin from `/dev/null`,
    /// stdout and stderr into `scratch.out` and `scratch.err`, read back once the child has exited.
    static func run(_ arguments: [String], scratch: String) throws -> ChildRun {
        let outPath = scratch + ".out"
        let errPath = scratch + ".err"
        defer {
            unlink(outPath)
            unlink(errPath)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)

        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }

        var pid: pid_t = 0
        let start = Measure.clock.now
        let spawned = posix_spawnp(&pid, arguments[0], &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw BenchFailure("cannot start \(arguments[0]): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw BenchFailure("wait4 on \(arguments[0]) failed") }
        }
        let seconds = Measure.seconds(Measure.clock.now - start)
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import (they are macros).
        let signal = status & 0x7f
        let code = signal == 0 ? (status >> 8) & 0xff : 128 + signal
        return ChildRun(
            status: code, seconds: seconds, maxRSSKiB: Int(usage.ru_maxrss),
            output: Measure.readText(outPath) ?? "", errors: Measure.readText(errPath) ?? "")
    }
}
