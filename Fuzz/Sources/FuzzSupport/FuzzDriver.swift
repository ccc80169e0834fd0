import GrantDomain

@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// The body under test; set once by `fuzz(_:_:_:)` before libFuzzer starts calling back.
nonisolated(unsafe) private var body: ([UInt8]) -> Void = { _ in }

/// Runs libFuzzer with `test` as the target: each input is handed over as bytes. A crash, a trap or a sanitizer
/// report is a finding; thrown errors are the parser doing its job and are ignored by the targets.
///
/// SwiftPM links an executable's entry point as `<Module>_main`, so each target defines that symbol and calls this
/// (libFuzzer's own `main` is then never linked in).
public func fuzz(
    _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ test: @escaping ([UInt8]) -> Void
) -> CInt {
    body = test
    // Loaded before the first input, so that its one-time cost is not charged to an input as a timeout.
    _ = FuzzFixtures.reference
    var count = argc
    var vector = argv
    return runDriver(&count, &vector) { start, size in
        body(start.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
        return 0
    }
}

/// Shared fixtures: the bundled reference data.
public enum FuzzFixtures {
    public static let reference: ReferenceData? = try? ReferenceData.shared()
}
