#if canImport(Glibc)
    import Glibc
#endif

/// Wall-clock timing and process measurements.
enum Measure {
    static let clock = ContinuousClock()

    static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }

    /// Runs `body` and returns its result with the elapsed wall time in seconds.
    static func time<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> (T, Double) {
        let start = clock.now
        let result = try body()
        return (result, seconds(clock.now - start))
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// Peak resident set of this process, in KiB (`getrusage`'s `ru_maxrss`, KiB on Linux).
    static func maxRSSKiB() -> Int {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        return Int(usage.ru_maxrss)
    }

    /// CPU time (user + system) this process has used so far, in seconds: compared with the wall time of a
    /// run, it shows how many cores the run really had.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return user + system
    }

    /// Current resident set of this process, in KiB (`/proc/self/statm`, second field, in pages).
    static func currentRSSKiB() -> Int {
        guard let text = readText("/proc/self/statm") else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE))) / 1024
    }

    /// The numbers of a child's `name=value` words (separated by spaces or lines), by name; other words are left out.
    static func fields(in text: String) -> [String: Double] {
        var fields: [String: Double] = [:]
        for pair in text.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            let parts = pair.split(separator: "=")
            if parts.count == 2, let value = Double(parts[1]) { fields[String(parts[0])] = value }
        }
        return fields
    }

    /// 1-, 5- and 15-minute load averages, as `uptime` shows them.
    static func loadAverage() -> [Double] {
        var loads = [Double](repeating: 0, count: 3)
        _ = getloadavg(&loads, 3)
        return loads
    }

    /// The absolute path of this executable, to run it again as a child.
    static func executablePath() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return CommandLine.arguments[0] }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The whole text of a small file, or nil.
    static func readText(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count <= 0 { break }
            bytes.append(contentsOf: chunk[..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Runs a shell command and returns its standard output and exit status.
    static func run(_ command: String) -> (output: String, status: Int32) {
        guard let pipe = popen(command, "r") else { return ("", -1) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&chunk, 1, chunk.count, pipe)
            if count <= 0 { break }
            bytes.append(contentsOf: chunk[..<count])
        }
        let status = pclose(pipe)
        return (String(decoding: bytes, as: UTF8.self), status)
    }

    /// Quotes `text` for `/bin/sh`.
    static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingSingleQuotes + "'"
    }
}

extension String {
    fileprivate var replacingSingleQuotes: String {
        split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''")
    }
}

/// `openssl speed`'s Ed25519 figures, measured by running the command.
struct OpenSSLSpeed {
    static let command = "openssl speed -seconds 3 ed25519"

    /// The single-core rate, and the rate on every core when there are several; nil for a figure that could not
    /// be read (the ratio is then omitted, and stderr says so).
    static func measureBoth(cores: Int) -> (single: OpenSSLSpeed?, multi: OpenSSLSpeed?) {
        printError("running `\(command)` (about 6 s)")
        let single = measure()
        if single == nil { printError("could not run or read `\(command)`; the ratio is omitted") }
        guard cores > 1 else { return (single, nil) }
        printError("running `\(multiCommand(cores))` (about 6 s)")
        return (single, measure(command: multiCommand(cores)))
    }

    /// The same on `processes` cores at once (`-multi`): what the hardware gives in parallel right now.
    static func multiCommand(_ processes: Int) -> String { "openssl speed -seconds 3 -multi \(processes) ed25519" }

    let version: String
    let signsPerSecond: Double
    let verifiesPerSecond: Double
    /// The line the figures were read from.
    let line: String

    /// Runs `openssl speed` (about 6 s: 3 s of signing, 3 s of verifying, one core).
    static func measure(command: String = OpenSSLSpeed.command) -> OpenSSLSpeed? {
        let version =
            Measure.run("openssl version 2>/dev/null").output.split(separator: "\n").first.map(String.init) ?? "?"
        let (output, status) = Measure.run(command + " 2>/dev/null")
        guard status == 0 else { return nil }
        return parse(output, version: version)
    }

    /// Reads the `… Ed25519)   0.0000s   0.0001s  24012.3   8245.9` line: the last two columns are sign/s
    /// and verify/s.
    static func parse(_ output: String, version: String) -> OpenSSLSpeed? {
        for line in output.split(separator: "\n") where line.contains("Ed25519") {
            let numbers = line.split(separator: " ").compactMap { Double($0) }
            guard numbers.count >= 2 else { continue }
            return OpenSSLSpeed(
                version: version, signsPerSecond: numbers[numbers.count - 2],
                verifiesPerSecond: numbers[numbers.count - 1],
                line: line.trimmingCharacters(in: " "))
        }
        return nil
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        String(drop { $0 == set }.reversed().drop { $0 == set }.reversed())
    }
}
