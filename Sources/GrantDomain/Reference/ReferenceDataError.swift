/// Reference data that could not be found, read or trusted.
///
/// Loading stops at the first problem rather than skipping a bad row: a silently missing commune would make
/// a grant rule give a different answer, and the dataset hash would no longer describe what was used.
public struct ReferenceDataError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The bundled resources or a file of the directory are missing.
        public static let missingFile = Code(rawValue: "missingFile")
        /// A file exists but could not be read.
        public static let unreadableFile = Code(rawValue: "unreadableFile")
        /// A file is not the expected CSV (syntax, header, a value that does not parse).
        public static let malformedFile = Code(rawValue: "malformedFile")
        /// Files disagree (a duplicate key, a commune in an unknown EPCI).
        public static let inconsistent = Code(rawValue: "inconsistent")
    }

    public var code: Code
    /// One sentence naming the file, and the line when there is one.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
