/// The one shape of every error GrantLedger's libraries throw: a code for programs, one sentence for a person, the
/// cause when there is one, and the facts a caller may act on.
///
/// Modelled on swift-certificates' `CertificateError`: the code is a value of an extensible struct, not an enum, so
/// a new code breaks no caller that switches over the codes it knows (a `switch` needs a `default`). Each area of
/// the package names its errors with a tag type and a typealias, and declares its codes as static members:
///
/// ```swift
/// public enum LedgerFailure: ErrorDomain { public struct Details: ErrorDetails { public var rule: RuleID? … } }
/// public typealias LedgerError = CodedError<LedgerFailure>
/// extension ErrorCode where Domain == LedgerFailure {
///     public static let notFound = Self("notFound")
/// }
/// throw LedgerError(.notFound, "le registre events n'existe pas")
/// ```
///
/// Typed throws keep the areas apart (`throws(LedgerError)`), and one `catch let error as any CodedFailure` reads
/// them all. `message` is written to be printed as is: no stack trace, no code name. `underlying` keeps the error
/// that was wrapped, so that a caller or a log can still see the cause.
@dynamicMemberLookup
public struct CodedError<Domain: ErrorDomain>: Error, CustomStringConvertible {
    /// What kind of failure.
    public typealias Code = ErrorCode<Domain>

    /// What kind of failure, for programs.
    public var code: Code
    /// One sentence for a person.
    public var message: String
    /// The facts of this area's errors that a caller may act on (a rule id, an HTTP status, a byte offset).
    public var details: Domain.Details
    /// The error this one wraps, when it was caused by another.
    public var underlying: (any Error)?

    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.details = Domain.Details()
        self.underlying = underlying
    }

    public var description: String { message }

    /// The details' fields read and written as the error's own: `error.rule`, `error.status`.
    public subscript<Value>(dynamicMember path: WritableKeyPath<Domain.Details, Value>) -> Value {
        get { details[keyPath: path] }
        set { details[keyPath: path] = newValue }
    }
}

/// Two errors are equal when their code, message and details are; the cause is not compared.
extension CodedError: Equatable where Domain.Details: Equatable {
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.details == rhs.details
    }
}

extension CodedError: Hashable where Domain.Details: Hashable {
    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
        hasher.combine(details)
    }
}

/// An area of the package whose errors share one set of codes: a tag type, never instantiated.
public protocol ErrorDomain {
    /// The facts this area's errors carry besides code and message; ``NoDetails`` when there are none.
    associatedtype Details: ErrorDetails = NoDetails
}

/// The extra fields of an area's errors; every field has a default, so an error can be made from code and message.
public protocol ErrorDetails: Sendable {
    init()
}

/// No extra fields.
public struct NoDetails: ErrorDetails, Hashable {
    public init() {}
}

/// A code of one area's errors: a name that programs compare, and that JSON error bodies may show.
public struct ErrorCode<Domain: ErrorDomain>: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }
}

/// Any ``CodedError``, whatever its area: what a program's top level catches to print one sentence.
public protocol CodedFailure: Error, CustomStringConvertible {
    /// One sentence for a person.
    var message: String { get }
    /// The code's name.
    var codeName: String { get }
    /// The error this one wraps, if any.
    var underlying: (any Error)? { get }
}

extension CodedError: CodedFailure {
    public var codeName: String { code.rawValue }
}
