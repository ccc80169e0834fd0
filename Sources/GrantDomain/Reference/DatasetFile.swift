/// The identity of one reference file: its name and the SHA-256 of its exact bytes.
///
/// A grant call pins the reference data its rules were evaluated against (populations change every year),
/// so that a verifier can later check it holds the very same files before re-running the rules.
public struct DatasetFile: Hashable, Sendable, Codable {
    /// The file name, e.g. `communes.csv`.
    public var name: String
    /// Lowercase hexadecimal SHA-256 of the file's bytes (64 characters).
    public var sha256: String
    /// Size in bytes.
    public var byteCount: Int

    public init(name: String, sha256: String, byteCount: Int) {
        self.name = name
        self.sha256 = sha256
        self.byteCount = byteCount
    }
}
