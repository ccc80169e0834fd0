import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A throwaway PostgreSQL cluster for a test: `initdb` in a new temporary directory, the server listening on a
/// unix socket in that directory only (no TCP port, nothing another process could reach by accident). `fsync` is
/// off, to spare a machine shared by builds: the tests crash the server process, never the machine, and a crashed
/// server recovers every commit from its WAL in the kernel's cache.
///
/// As root (CI), the cluster belongs to the `postgres` user the Debian package creates, and every server command
/// runs through `runuser`: PostgreSQL refuses to run as root. The binaries are Debian's (`.ci/run` installs the
/// `postgresql` package); where they are missing the tests fail under CI and are skipped elsewhere.
final class PostgresCluster: @unchecked Sendable {
    // Mutated by the test that owns it only.
    let directory: String
    let bin: String
    let durable: Bool
    var data: String { directory + "/data" }

    /// The directory of Debian's PostgreSQL binaries (the newest version), nil when none is installed.
    static let binDirectory: String? = {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return versions.compactMap(Int.init).sorted().reversed().map { "\(root)/\($0)/bin" }
            .first { FileManager.default.isExecutableFile(atPath: $0 + "/initdb") }
    }()

    /// Whether the tests that need PostgreSQL run: always under CI (where a missing server fails them), and
    /// wherever the binaries are installed.
    static var enabled: Bool { binDirectory != nil || ProcessInfo.processInfo.environment["CI"] != nil }

    /// The cluster most tests share (each in a database of its own); stopped when the test process exits.
    static let shared: Result<PostgresCluster, ServiceTestError> = {
        // The whole suite runs in parallel on 2 cores, and CLI tests block the test process's threads for long
        // stretches: a call of this process to the database may wait far longer than a server's 30 s for a thread.
        setenv("GRANT_LEDGER_PG_TIMEOUT", "900", 0)
        do {
            let cluster = try PostgresCluster()
            sharedDirectory = cluster.directory
            atexit {
                guard let directory = PostgresCluster.sharedDirectory, let bin = PostgresCluster.binDirectory else {
                    return
                }
                _ = try? PostgresCluster.run(bin + "/pg_ctl", ["-D", directory + "/data", "-m", "immediate", "stop"])
                try? FileManager.default.removeItem(atPath: directory)
            }
            return .success(cluster)
        } catch let error as ServiceTestError {
            return .failure(error)
        } catch {
            return .failure(ServiceTestError("\(error)"))
        }
    }()
    nonisolated(unsafe) static var sharedDirectory: String? = nil

    private static let counter = Counter()

    /// `durable` keeps `fsync` on (for measurements).
    init(durable: Bool = false) throws {
        self.durable = durable
        guard let bin = Self.binDirectory else {
            throw ServiceTestError("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): run .ci/run")
        }
        self.bin = bin
        // Short: a unix socket's path has at most 107 bytes.
        directory = "/tmp/glpg-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        if getuid() == 0 { try Self.run("/bin/chown", ["postgres:postgres", directory]) }
        try Self.run(bin + "/initdb", ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-instructions"])
        try start()
    }

    /// Runs a PostgreSQL binary, as the `postgres` user when this process is root; throws with its output if it
    /// fails.
    /// (`posix_spawn` and `waitpid`, not `Process`: `pg_ctl start` leaves a daemon behind, which `Process` waits on.)
    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let asPostgres = getuid() == 0 && !executable.hasPrefix("/bin/")
        // From `/`: the postgres user may not be able to enter the test's working directory.
        let argv =
            (asPostgres ? ["/usr/sbin/runuser", "-u", "postgres", "--"] : []) + [
                "/bin/sh", "-c", "cd / && exec \"$0\" \"$@\"", executable,
            ]
            + arguments
        let output = "/tmp/glpg-\(UUID().uuidString).out"
        defer { unlink(output) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var pointers = argv.map { strdup($0) } + [nil]
        defer { for pointer in pointers { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, &pointers, environ)
        guard spawned == 0 else {
            throw ServiceTestError("cannot run \(argv[0]): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        // Exited normally with status 0.
        guard status & 0x7F == 0, (status >> 8) & 0xFF == 0 else {
            throw ServiceTestError("\(executable) \(arguments.joined(separator: " ")) failed: \(text)")
        }
        return text
    }

    func start() throws {
        try Self.run(
            bin + "/pg_ctl",
            [
                "-D", data, "-l", directory + "/server.log", "-w", "-t", "60", "-o",
                "-k \(directory) -c listen_addresses='' -c max_connections=200 -c fsync=\(durable ? "on" : "off")",
                "start",
            ])
    }

    /// Stops the server: `immediate` is a crash (no checkpoint; recovery replays the WAL on the next start).
    func stop(immediate: Bool = false) throws {
        try Self.run(bin + "/pg_ctl", ["-D", data, "-w", "-m", immediate ? "immediate" : "fast", "stop"])
    }

    /// Removes the cluster (stopped first).
    func remove() {
        _ = try? stop(immediate: true)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A new, empty database; returns its connection string.
    func createDatabase() throws -> String {
        let name = "t\(Self.counter.next())_\(UUID().uuidString.prefix(8).lowercased())"
        try Self.run(bin + "/createdb", ["-h", directory, "-U", "postgres", name])
        return url(name)
    }

    func url(_ database: String) -> String {
        "postgres://postgres@localhost/\(database)?host=\(directory)"
    }

    /// `psql -c` on `database`, for checks a test makes behind the service's back; returns the unaligned output.
    func psql(_ database: String, _ sql: String) throws -> String {
        try Self.run(bin + "/psql", ["-h", directory, "-U", "postgres", "-d", database, "-AtX", "-c", sql])
    }

    /// The database name of a connection string made by ``createDatabase()``.
    static func databaseName(_ url: String) -> String {
        String(url.split(separator: "?").first!.split(separator: "/").last!)
    }
}

/// A thread-safe counter.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
