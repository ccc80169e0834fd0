import Foundation

/// Where tests write: one directory per test process, `$TMPDIR/grantledger-tests-<pid>`, removed when the process
/// exits, so that a test run leaves nothing behind even when a test does not clean up after itself (or fails
/// before it can).
public enum TestDirectory {
    /// This process's directory; created on first use.
    public static let root: String = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "grantledger-tests-\(ProcessInfo.processInfo.processIdentifier)"
        ).path
        try? FileManager.default.removeItem(atPath: path)
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: TestDirectory.root) }
        return path
    }()

    /// A new path under ``root``, `<prefix>-<UUID>`, not created: the caller creates what it needs there.
    public static func path(_ prefix: String) -> String {
        root + "/" + prefix + "-" + UUID().uuidString
    }

    /// A new, empty directory under ``root``.
    public static func make(_ prefix: String) -> String {
        let path = path(prefix)
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
